using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary>
/// The ONNX Runtime threads option of the commands that score many images at once (serve, bench scoring, bench
/// serve). One thread per call is the default: concurrent requests, or ML.NET's parallel rows in a Transform,
/// already use the cores, and ONNX Runtime's own pool on top of them oversubscribes the cores (README, "Scoring a
/// saved model": 590 against 715 images/s through Transform, 361 against 595 requests/s with 4 clients).
/// </summary>
public class OnnxThreadsSettings : CommandSettings
{
    [CommandOption("--onnx-threads <N>")]
    [Description("ONNX Runtime threads per scoring call. 1 suits concurrent requests and Transform over many images; 0 is ONNX Runtime's default (one per physical core), the lowest latency for one request at a time.")]
    [DefaultValue(1)]
    public int OnnxThreads { get; init; } = 1;

    public override ValidationResult Validate()
        => OnnxThreads < 0 ? ValidationResult.Error("--onnx-threads must be 0 (ONNX Runtime's default) or more.") : ValidationResult.Success();
}
