using System.Text.Json;
using SimClr.MLNet.Tests.Support;

namespace SimClr.MLNet.Tests.Cli;

/// <summary>Pipeline files that train in seconds: 16 px images, a width-2 encoder, a handful of images, a baseline only.</summary>
public static class TinyPipelines
{
    const string Encoder = "\"encoder\": { \"architecture\": \"SmallResNet18\", \"width\": 2 }";

    /// <summary>Generated shapes: <paramref name="labeled"/> training images, 8 for validation.</summary>
    public static string Synthetic(int epochs = 1, int batchSize = 8, int labeled = 16) => $$"""
        {
          "name": "tiny",
          "data": { "source": "synthetic", "imageSize": 16, "labeledCount": {{labeled}}, "unlabeledCount": 0, "validationCount": 8 },
          {{Encoder}},
          "experiments": { "baseline": { "epochs": {{epochs}}, "batchSize": {{batchSize}} } }
        }
        """;

    /// <summary>All four experiments on generated shapes, each supervised one <paramref name="repeats"/> times.</summary>
    public static string AllExperiments(int repeats) => $$"""
        {
          "name": "tiny-all",
          "repeats": {{repeats}},
          "data": { "source": "synthetic", "imageSize": 16, "labeledCount": 16, "unlabeledCount": 16, "validationCount": 8 },
          {{Encoder}},
          "experiments": {
            "baseline": { "epochs": 1, "batchSize": 8 },
            "pretrain": { "epochs": 1, "batchSize": 16 },
            "finetune": { "epochs": 1, "batchSize": 8 },
            "distill": { "epochs": 1, "batchSize": 16 }
          }
        }
        """;

    /// <summary>
    /// SimCLRv2's big-to-small recipe on generated shapes: pretraining and fine-tuning at width 4, the baseline and a
    /// student from scratch at width 2; two seeds, so that the report compares means.
    /// </summary>
    public const string BigToSmall = """
        {
          "name": "tiny-big-to-small",
          "repeats": 2,
          "data": { "source": "synthetic", "imageSize": 16, "labeledCount": 16, "unlabeledCount": 16, "validationCount": 8 },
          "encoder": { "architecture": "SmallResNet18", "width": 4 },
          "experiments": {
            "baseline": { "encoder": { "architecture": "SmallResNet18", "width": 2 }, "epochs": 1, "batchSize": 8 },
            "pretrain": { "epochs": 1, "batchSize": 16 },
            "finetune": { "epochs": 1, "batchSize": 8 },
            "distill": { "encoder": { "architecture": "SmallResNet18", "width": 2 }, "studentStart": "Scratch", "epochs": 1, "batchSize": 16 }
          }
        }
        """;

    /// <summary>Pretraining with <paramref name="method"/> (tiny heads), then fine-tuning, on generated shapes.</summary>
    public static string WithMethod(string method, string methodOptions, int validation = 8) => $$"""
        {
          "name": "tiny-{{method}}",
          "data": { "source": "synthetic", "imageSize": 16, "labeledCount": 16, "unlabeledCount": 16, "validationCount": {{validation}} },
          {{Encoder}},
          "experiments": {
            "pretrain": {
              "method": "{{method}}", {{methodOptions}}
              "epochs": 1, "batchSize": 16, "projectionHiddenDim": 16, "projectionDim": 8
            },
            "finetune": { "epochs": 1, "batchSize": 8 }
          }
        }
        """;

    /// <summary>An image folder at <paramref name="root"/>, every image used for training and validation.</summary>
    public static string ImageFolder(string root) => $$"""
        {
          "name": "tiny-folder",
          "data": { "source": "imageFolder", "path": {{JsonSerializer.Serialize(root)}}, "imageSize": 16 },
          {{Encoder}},
          "experiments": { "baseline": { "epochs": 1, "batchSize": 4 } }
        }
        """;

    /// <summary>Writes root/a and root/b with <paramref name="perClass"/> small PNG images each.</summary>
    public static void WriteImageFolder(string root, int perClass = 3)
    {
        foreach (var (name, index) in new[] { ("a", 0), ("b", 1) })
            for (int i = 0; i < perClass; i++)
                SyntheticImages.WriteImageFile(Path.Combine(root, name, $"{i}.png"), 16, (byte)(index * 120), (byte)(i * 40), 60);
    }
}
