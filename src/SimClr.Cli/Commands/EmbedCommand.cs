using System.ComponentModel;
using SimClr.Cli.Reporting;
using SimClr.MLNet.Embeddings;
using SimClr.MLNet.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary>
/// <c>simclr embed --model MODEL --data PATH --out DIR</c>: the encoder's features of every image in a folder, as
/// embeddings.csv and as TensorBoard projector files, and map.png, a t-SNE map of them coloured by class.
/// </summary>
internal sealed class EmbedCommand(IAnsiConsole console) : Command<EmbedCommand.Settings>
{
    public sealed class Settings : ModelAndImagesSettings
    {
        [CommandOption("--out <DIR>")] [Description("Output folder for embeddings.csv, tensors.tsv, metadata.tsv, sprite.png, projector_config.pbtxt and map.png.")]
        public string Out { get; init; } = "";

        public override ValidationResult Validate()
            => string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out is required.") : base.Validate();
    }

    /// <summary>Thumbnails of the sprite: the projector shows them at most this big.</summary>
    const int ThumbnailSize = 32;

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var images = ImageFolderInput.Open(settings.Data, settings.Unlabeled);
        var embeddings = ModelEmbeddings.Compute(settings.Model, images);
        using var thumbnails = ImageTensorSet.FromDataView(images, ThumbnailSize);
        ProjectorFiles.Write(settings.Out, embeddings, thumbnails);
        console.WriteLine($"{embeddings.Count:N0} images, {embeddings.Dimension} features each, written to {settings.Out}: embeddings.csv and the TensorBoard projector's " +
                          "tensors.tsv, metadata.tsv, sprite.png, projector_config.pbtxt (projector.tensorflow.org, \"Load\").");
        if (EmbeddingMap.WriteTSne(Path.Combine(settings.Out, "map.png"), embeddings, seed: 1) is { } mapped)
            console.WriteLine($"map.png: a t-SNE map of {mapped:N0} of them, coloured by class.");
        return 0;
    }
}
