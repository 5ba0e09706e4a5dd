using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SimClr.Cli.Serving;
using SimClr.MLNet.Tests.Support;

namespace SimClr.MLNet.Tests.Serving;

/// <summary>simclr serve's HTTP API, over loopback: predictions, neighbours, health, bad input, concurrency.</summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class ServerApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    static MultipartFormDataContent Form(byte[] bytes, string fileName = "image.png")
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return new MultipartFormDataContent { { file, "image", fileName } };
    }

    async Task<(HttpStatusCode Status, JsonElement Body)> Post(HttpContent content)
    {
        using var response = await server.Client.PostAsync("/predict", content);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    [Fact]
    public async Task PredictReturnsEveryClassWithItsProbabilityAndTheNearestIndexedImages()
    {
        var (status, body) = await Post(Form(File.ReadAllBytes(server.ImageOf("green"))));

        Assert.Equal(HttpStatusCode.OK, status);
        var predictions = body.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(ToyStl10.ClassNames.Order(), predictions.Select(p => p.GetProperty("class").GetString()).Order());
        Assert.Equal(1.0, predictions.Sum(p => p.GetProperty("probability").GetDouble()), 4);
        Assert.Equal("green", predictions[0].GetProperty("class").GetString());
        var neighbors = body.GetProperty("neighbors").EnumerateArray().ToList();
        Assert.Equal(8, neighbors.Count);
        Assert.Equal("green", neighbors[0].GetProperty("label").GetString());
        Assert.Equal(1.0, neighbors[0].GetProperty("similarity").GetDouble(), 4);   // the same image is indexed
        using var thumbnail = await server.Client.GetAsync(neighbors[0].GetProperty("url").GetString());
        Assert.Equal("image/png", thumbnail.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task HealthSaysWhatIsServed()
    {
        var health = JsonDocument.Parse(await server.Client.GetStringAsync("/health")).RootElement;
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("model.zip", health.GetProperty("model").GetString());
        Assert.Equal(12, health.GetProperty("indexedImages").GetInt32());
    }

    [Fact]
    public async Task NotAnImageIsA400WithOneLine()
    {
        var (status, body) = await Post(Form("hello, not a picture"u8.ToArray(), "notes.png"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("'notes.png' is not an image this server can read (PNG or JPEG)", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AnEmptyUploadIsA400()
    {
        var (status, body) = await Post(Form(Array.Empty<byte>()));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("empty", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AFormWithoutAFileIsA400()
    {
        var (status, body) = await Post(new StringContent("image=1", System.Text.Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("multipart/form-data", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task MoreThanTenMegabytesIsA413()
    {
        var (status, body) = await Post(Form(new byte[ModelServer.MaxUploadBytes + 1]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("10 MB", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ConcurrentRequestsGetTheAnswerOfASingleOne()
    {
        var bytes = File.ReadAllBytes(server.ImageOf("blue"));
        var single = (await Post(Form(bytes))).Body.GetProperty("predictions").GetRawText();

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ => (await Post(Form(bytes))).Body.GetProperty("predictions").GetRawText()));

        Assert.All(answers, answer => Assert.Equal(single, answer));
    }

    [Fact]
    public async Task AModelThatIsNotOursRefusesToStartWithOneLine()
    {
        var notOurs = server.Directory.Combine("not-ours.zip");
        File.WriteAllText(notOurs, "not a model");
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ModelServer.StartAsync(notOurs, null, "127.0.0.1", 0, onnxThreads: 1));
        Assert.Contains("not-ours.zip", error.Message);
        Assert.DoesNotContain("\n", error.Message);
        var (code, output) = Cli.CliRunner.Run("serve", "--model", notOurs, "--port", "0");
        Assert.Equal(1, code);
        Assert.Contains("not-ours.zip", Cli.CliRunner.OneErrorLine(output));
    }

    [Theory]
    [InlineData("serve", "--model", "any.zip")]
    [InlineData("bench", "serve")]
    [InlineData("bench", "scoring")]
    public void ANegativeOnnxThreadCountIsRefusedWithOneLine(params string[] command)
    {
        var (code, output) = Cli.CliRunner.Run(command.Append("--onnx-threads").Append("-1").ToArray());
        Assert.NotEqual(0, code);
        Assert.Contains("--onnx-threads must be 0 (ONNX Runtime's default) or more.", Cli.CliRunner.OneErrorLine(output));
    }
}
