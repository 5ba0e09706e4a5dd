using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using SimClr.Cli.Pipelines;
using SimClr.MLNet.IO;

namespace SimClr.Cli.Reporting;

/// <summary>
/// The reference's comparison plots: validation accuracy and validation loss per epoch for the supervised baseline,
/// SimCLR pretraining (its online probe) and fine-tuning.
/// </summary>
public static class Plots
{
    public static void WriteCurves(string directory, IReadOnlyList<ExperimentResult> results)
    {
        Write(Path.Combine(directory, "curves-accuracy.png"), "Validation accuracy", "accuracy", results, r => r.AccuracyMetric, LegendPosition.RightBottom);
        Write(Path.Combine(directory, "curves-loss.png"), "Validation loss", "cross-entropy", results, r => r.LossMetric, LegendPosition.RightTop);
    }

    static void Write(string path, string title, string yTitle, IReadOnlyList<ExperimentResult> results, Func<ExperimentResult, string> metric, LegendPosition legend)
    {
        var model = new PlotModel { Title = title, Background = OxyColors.White, DefaultFont = "DejaVu Sans" };
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "epoch", MinimumPadding = 0.02, MaximumPadding = 0.02 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = yTitle, MajorGridlineStyle = LineStyle.Dot });
        model.Legends.Add(new Legend { LegendPosition = legend, LegendBackground = OxyColor.FromAColor(200, OxyColors.White) });
        foreach (var result in results)
        {
            var series = new LineSeries { Title = $"{result.Title} ({metric(result)})", MarkerType = MarkerType.Circle, MarkerSize = 3 };
            foreach (var epoch in result.History.Epochs)
                if (double.IsFinite(epoch[metric(result)]))
                    series.Points.Add(new DataPoint(epoch.Epoch, epoch[metric(result)]));
            model.Series.Add(series);
        }
        AtomicFile.Write(path, stream => new OxyPlot.SkiaSharp.PngExporter { Width = 900, Height = 560 }.Export(model, stream));
    }
}
