using System.Net;
using System.Net.Sockets;
using Microsoft.ML;
using Microsoft.ML.Data;
using SimClr.MLNet.Data;
using SimClr.MLNet.MLNet;
using SimClr.MLNet.Models;
using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Cli.CliRunner;

namespace SimClr.MLNet.Tests.Cli;

/// <summary>
/// The README's "Your own images" walkthrough, every step, on a tiny folder: the same folder layout, pipeline file
/// (tiny epochs and widths), commands and C#.
/// </summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class YourOwnImagesTests : IDisposable
{
    readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>my-images/cats, my-images/dogs (labelled) and my-images/unsorted (unlabelled).</summary>
    string WriteFolder()
    {
        var root = _dir.Combine("my-images");
        for (int i = 0; i < 6; i++)
        {
            SyntheticImages.WriteImageFile(Path.Combine(root, "cats", $"cat{i}.png"), 40, (byte)(150 + 10 * i), 40, 40);
            SyntheticImages.WriteImageFile(Path.Combine(root, "dogs", $"dog{i}.jpg"), 48, 40, 40, (byte)(150 + 10 * i));
        }
        for (int i = 0; i < 8; i++)
            SyntheticImages.WriteImageFile(Path.Combine(root, "unsorted", $"{i}.png"), 44, (byte)(30 * i), 90, (byte)(200 - 20 * i));
        return root;
    }

    [Fact]
    public async Task TheWalkthroughsCommandsRunOnATinyFolder()
    {
        var root = WriteFolder();
        var pipeline = _dir.Combine("my-images.json");
        File.WriteAllText(pipeline, $$"""
            {
              "name": "my-images",
              "data": {
                "source": "imageFolder", "path": {{System.Text.Json.JsonSerializer.Serialize(root)}}, "imageSize": 16,
                "unlabeledFolder": "unsorted",
                "labeledFilesPerClass": "..4", "validationFilesPerClass": "4.."
              },
              "encoder": { "architecture": "SmallResNet18", "width": 2 },
              "experiments": {
                "baseline": { "epochs": 1, "batchSize": 4 },
                "pretrain": { "method": "SimCLR", "epochs": 1, "batchSize": 8 },
                "finetune": { "epochs": 1, "batchSize": 4 }
              }
            }
            """);
        var run = _dir.Combine("runs", "my-images");

        var (code, output) = Run("run", pipeline, "--out", run);
        Assert.True(code == 0, output);
        (code, output) = Run("embed", "--model", Path.Combine(run, "finetuned.zip"), "--data", root, "--unlabeled", "unsorted", "--out", _dir.Combine("index"));
        Assert.True(code == 0, output);
        Assert.Contains("20 images", output);   // labelled and unsorted alike
        Assert.DoesNotContain(",unsorted,", File.ReadAllText(_dir.Combine("index", "embeddings.csv")));
        (code, output) = Run("neighbors", "--model", Path.Combine(run, "finetuned.zip"), "--data", root, "--unlabeled", "unsorted", "--out", _dir.Combine("neighbors.png"));
        Assert.True(code == 0, output);
        Assert.True(File.Exists(_dir.Combine("neighbors.png")));
        (code, output) = Run("predict", "--model", Path.Combine(run, "finetuned.zip"), Path.Combine(root, "unsorted"), "--json");
        Assert.True(code == 0, output);
        var predicted = System.Text.Json.JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal(8, predicted.Count);
        Assert.All(predicted, p => Assert.Contains(p.GetProperty("predictions")[0].GetProperty("class").GetString(), new[] { "cats", "dogs" }));

        int port = FreePort();
        using var stop = new CancellationTokenSource();
        var serve = Task.Run(() => Run(stop.Token, "serve", "--model", Path.Combine(run, "finetuned.zip"), "--index", _dir.Combine("index"), "--port", port.ToString()));
        using var client = new HttpClient();
        var health = WaitForHealth(client, $"http://127.0.0.1:{port}/health", serve);
        Assert.Contains("\"indexedImages\":20", health);
        stop.Cancel();
        Assert.Equal(0, (await serve).ExitCode);
    }

    [Fact]
    public void TheWalkthroughsCSharpRunsOnATinyFolder()
    {
        var root = WriteFolder();
        var zip = _dir.Combine("finetuned.zip");

        // As in the README, with tiny sizes.
        var ml = new MLContext(seed: 1);
        var images = ml.Data.LoadImageFolder(root, new ImageFolderOptions { UnlabeledFolder = "unsorted" });   // cats, dogs and unsorted
        var labeled = ml.Data.LoadImageFolder(root, new ImageFolderOptions { ClassNames = new[] { "cats", "dogs" } });
        var encoder = ml.Transforms.SimClrPretrain(new SimClrPretrainOptions
        {
            EncoderSpec = new EncoderSpec(EncoderArchitecture.SmallResNet18, 2, 16), Epochs = 1, BatchSize = 8, KnnNeighbors = 0,
        }).Fit(images);
        var classifier = ml.MulticlassClassification.Trainers.SimClrFineTune(new SimClrFineTuneOptions { Encoder = encoder, Epochs = 1, BatchSize = 4 }).Fit(images);
        ml.Model.Save(classifier, images.Schema, zip);
        var embeddings = classifier.Transform(images);   // Features: the encoder's embeddings
        var metrics = ml.MulticlassClassification.Evaluate(classifier.Transform(labeled));

        Assert.True(File.Exists(zip));
        Assert.Equal(20, DataViewReading.Column<VBuffer<float>>(embeddings, "Features").Count);
        Assert.InRange(metrics.MicroAccuracy, 0, 1);
        encoder.Dispose();
        classifier.Dispose();
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static string WaitForHealth(HttpClient client, string url, Task<(int ExitCode, string Output)> server)
    {
        for (int attempt = 0; attempt < 300; attempt++)
        {
            if (server.IsCompleted)
                Assert.Fail($"serve stopped: {server.Result.Output}");
            try
            {
                return client.GetStringAsync(url).GetAwaiter().GetResult();
            }
            catch (HttpRequestException)
            {
                Thread.Sleep(100);
            }
        }
        throw new TimeoutException("serve did not answer /health within 30 s.");
    }
}
