using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary>What embed and neighbors share: a model (a saved .zip or an encoder checkpoint) and a folder of images.</summary>
public class ModelAndImagesSettings : CommandSettings
{
    [CommandOption("--model <FILE>")] [Description("A saved probe or classifier .zip (probe.zip, finetuned.zip, ...), or an encoder checkpoint (checkpoints/pretrain.checkpoint.zip).")]
    public string Model { get; init; } = "";

    [CommandOption("--data <PATH>")] [Description("An image folder: class folders (labels from their names) or a flat folder of images.")]
    public string Data { get; init; } = "";

    [CommandOption("--unlabeled <FOLDER>")] [Description("A subfolder of --data holding unlabelled images (not a class), as a pipeline's data.unlabeledFolder.")]
    public string? Unlabeled { get; init; }

    public override ValidationResult Validate()
        => string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error("--model is required.")
            : string.IsNullOrWhiteSpace(Data) ? ValidationResult.Error("--data is required.")
            : ValidationResult.Success();
}
