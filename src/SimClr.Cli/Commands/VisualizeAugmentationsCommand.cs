using System.ComponentModel;
using Microsoft.ML;
using SimClr.Cli.Pipelines;
using SimClr.Cli.Reporting;
using SimClr.MLNet.Augmentation;
using SimClr.MLNet.Data;
using SimClr.MLNet.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary><c>simclr visualize-augmentations --data PATH --out FILE.png</c>: the reference's 4-row augmentation grid.</summary>
internal sealed class VisualizeAugmentationsCommand(IAnsiConsole console) : Command<VisualizeAugmentationsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <PATH>")] [Description("An STL-10 folder or an image folder (root/<class>/*.png|jpg|jpeg|bmp|gif|webp).")]
        public string Data { get; init; } = "";

        [CommandOption("--out <FILE>")] [Description("The PNG to write.")] [DefaultValue("augmentations.png")]
        public string Out { get; init; } = "augmentations.png";

        [CommandOption("--size <PX>")] [Description("Side the images are resized to before augmenting.")] [DefaultValue(96)]
        public int Size { get; init; } = 96;

        [CommandOption("--seed <N>")] [Description("Seed of the random draws.")] [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        public override ValidationResult Validate()
            => string.IsNullOrWhiteSpace(Data) ? ValidationResult.Error("--data is required.")
                : Size is < DataDefinition.MinImageSize or > DataDefinition.MaxImageSize
                    ? ValidationResult.Error($"--size must be {DataDefinition.MinImageSize} to {DataDefinition.MaxImageSize} px.")
                    : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var ml = new MLContext(seed: settings.Seed);
        if (!Directory.Exists(settings.Data))
            throw new DirectoryNotFoundException($"Data folder '{settings.Data}' does not exist.");
        bool stl10 = File.Exists(Path.Combine(settings.Data, Stl10Format.ClassNamesFile)) || Directory.Exists(Path.Combine(settings.Data, Stl10Format.ArchiveFolder));
        IDataView view = stl10 ? ml.Data.LoadStl10(settings.Data, Stl10Split.Train) : ml.Data.LoadImageFolder(settings.Data);
        var sample = ml.Data.TakeRows(view, 8);
        using var images = ImageTensorSet.FromDataView(sample, settings.Size);
        AugmentationGrid.Write(settings.Out, images, AugmentationOptions.Classification, AugmentationOptions.Contrastive, settings.Seed);
        console.WriteLine($"Wrote {settings.Out}: 8 images of {settings.Data}; rows: original, weak (classification preset), strong (contrastive preset) twice.");
        return 0;
    }
}
