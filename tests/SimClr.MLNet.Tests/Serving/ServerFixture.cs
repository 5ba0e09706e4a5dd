using Microsoft.ML;
using SimClr.Cli.Commands;
using SimClr.Cli.Serving;
using SimClr.MLNet.Data;
using SimClr.MLNet.MLNet;
using SimClr.MLNet.Models;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.Tests.Serving;

/// <summary>
/// A tiny classifier of 96x96 images, STL-10's size (three classes of generated colours, as PNG files), an index of
/// them made by simclr embed, and a server on a free loopback port.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    /// <summary>The encoder's input size: the model resizes every image to it.</summary>
    public const int ModelImageSize = 32;

    public TempDirectory Directory { get; } = new();
    public ModelServer Server { get; private set; } = null!;
    public string Images => Directory.Combine("images");
    public string Model => Directory.Combine("model.zip");
    public string Index => Directory.Combine("index");
    public HttpClient Client { get; private set; } = null!;

    /// <summary>A PNG of class <paramref name="className"/>, as the page and API receive one.</summary>
    public string ImageOf(string className) => System.IO.Directory.GetFiles(Path.Combine(Images, className))[0];

    public async Task InitializeAsync()
    {
        // Each class is mostly its own colour, at four shades: easy to learn, so the page's answer can be checked.
        for (int i = 0; i < 12; i++)
        {
            byte shade = (byte)(150 + 25 * (i / 3)), rest = (byte)(20 + 10 * (i / 3));
            var (r, g, b) = (i % 3) switch { 0 => (shade, rest, rest), 1 => (rest, shade, rest), _ => (rest, rest, shade) };
            SyntheticImages.WriteImageFile(Path.Combine(Images, ToyStl10.ClassNames[i % 3], $"{i}.png"), Stl10Format.ImageSize, r, g, b);
        }
        var images = ImageFolderDataView.Open(Images);
        using var set = ImageTensorSet.FromDataView(images, ModelImageSize);
        using var trained = new SupervisedTrainer(new SupervisedOptions
        {
            EncoderSpec = new EncoderSpec(EncoderArchitecture.SmallResNet18, 2, ModelImageSize), Epochs = 8, BatchSize = 6, LearningRate = 0.01,
        }).Fit(set);
        using (var model = StockScoringModels.Classifier(trained.Encoder, trained.Head, trained.ClassNames, "Image", "Label", null, true))
            new MLContext(seed: 1).Model.Save(model, images.Schema, Model);
        Assert.Equal(0, Cli.CliRunner.Run("embed", "--model", Model, "--data", Images, "--out", Index).ExitCode);
        Server = await ModelServer.StartAsync(Model, Index, "127.0.0.1", 0, onnxThreads: 1);
        Client = new HttpClient { BaseAddress = new Uri(Server.Address) };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Directory.Dispose();
    }
}
