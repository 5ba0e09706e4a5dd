using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using SimClr.MLNet.Embeddings;
using SimClr.MLNet.IO;

namespace SimClr.Cli.Reporting;

/// <summary>A 2-D map of embeddings (t-SNE coordinates), one colour per class: what solo-learn's UMAP plots show.</summary>
public static class EmbeddingMap
{
    /// <summary>An exact t-SNE is quadratic in the points; 2,000 show the classes' layout and take seconds.</summary>
    public const int MaxPoints = 2000;

    /// <summary>
    /// A t-SNE map of up to <see cref="MaxPoints"/> rows of <paramref name="embeddings"/> (drawn under
    /// <paramref name="seed"/>); returns how many it mapped, or null when there are too few for its perplexity.
    /// </summary>
    public static int? WriteTSne(string path, EmbeddingSet embeddings, int seed, string? title = null)
    {
        if (embeddings.Count <= TSneOptions.Defaults.Perplexity)
            return null;
        var rows = Enumerable.Range(0, embeddings.Count).ToArray();
        new Random(seed).Shuffle(rows);
        rows = rows.Take(MaxPoints).Order().ToArray();
        var map = TSne.Embed(rows.Select(r => embeddings.Vectors[r]).ToArray(), new TSneOptions { Seed = seed });
        Write(path, title ?? $"t-SNE of {rows.Length:N0} images' features", map, rows.Select(r => embeddings.Labels[r]).ToArray(), embeddings.ClassNames);
        return rows.Length;
    }

    /// <param name="points">[N, 2] map coordinates.</param>
    /// <param name="labels">Each point's 0-based class (-1: none, drawn grey).</param>
    public static void Write(string path, string title, float[,] points, IReadOnlyList<int> labels, IReadOnlyList<string> classNames)
    {
        var model = new PlotModel { Title = title, Background = OxyColors.White, DefaultFont = "DejaVu Sans" };
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, IsAxisVisible = false });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, IsAxisVisible = false });
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.RightTop, LegendPlacement = LegendPlacement.Outside });
        var palette = OxyPalettes.HueDistinct(Math.Max(1, classNames.Count));
        for (int c = -1; c < classNames.Count; c++)
        {
            var series = new ScatterSeries
            {
                Title = c < 0 ? "no label" : classNames[c], MarkerType = MarkerType.Circle, MarkerSize = 2.5,
                MarkerFill = c < 0 ? OxyColors.Gray : palette.Colors[c],
            };
            for (int i = 0; i < labels.Count; i++)
                if (labels[i] == c)
                    series.Points.Add(new ScatterPoint(points[i, 0], points[i, 1]));
            if (series.Points.Count > 0)
                model.Series.Add(series);
        }
        AtomicFile.Write(path, stream => new OxyPlot.SkiaSharp.PngExporter { Width = 900, Height = 700 }.Export(model, stream));
    }
}
