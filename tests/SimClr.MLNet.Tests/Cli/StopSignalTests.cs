using SimClr.MLNet.Tests.Support;

namespace SimClr.MLNet.Tests.Cli;

/// <summary>SIGTERM, what docker stop, systemd and CI runners send, stops a run the way Ctrl-C does: checkpoint first, then exit 143.</summary>
public sealed class StopSignalTests
{
    [Fact]
    public void SigtermSavesACheckpointExitsWith143AndTheRunResumes()
    {
        using var dir = new TempDirectory();
        var pipeline = dir.Combine("pipeline.json");
        // Enough epochs that training is still running when the signal arrives, each one a few milliseconds.
        const int epochs = 60;
        File.WriteAllText(pipeline, TinyPipelines.Synthetic(epochs: epochs));
        var output = dir.Combine("out");

        int code;
        string printed;
        using (var process = new CliProcess(null, "run", pipeline, "--out", output))
        {
            Assert.True(process.WaitForLine("== baseline"), "training never started");
            process.Terminate();
            (code, printed) = process.WaitForExit();
        }

        Assert.True(code == 143, $"exit code {code}: {printed}");
        Assert.Contains("SIGTERM: stopping (a training run first finishes its step and saves a checkpoint)", printed);
        Assert.Contains("checkpoint saved to", printed);
        Assert.True(File.Exists(Path.Combine(output, "checkpoints", "baseline.checkpoint.zip")));
        Assert.False(File.Exists(Path.Combine(output, "baseline.zip")));

        var (resumed, log) = CliRunner.Run("run", pipeline, "--out", output, "--resume");
        Assert.True(resumed == 0, log);
        Assert.Contains("baseline: resuming from", log);
        var history = SimClr.MLNet.Training.TrainingHistory.FromJson(File.ReadAllText(Path.Combine(output, "baseline.json")));
        Assert.Equal(Enumerable.Range(1, epochs), history.Epochs.Select(e => e.Epoch));
    }
}
