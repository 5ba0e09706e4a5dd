using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.ML;
using Microsoft.ML.Data;
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
        Assert.Equal(File.ReadAllBytes(neighbors[0].GetProperty("path").GetString()!), await thumbnail.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ThePageOffersTheFormatsAndSizeTheApiTakes()
    {
        var page = await server.Client.GetStringAsync("/");
        Assert.Contains("(PNG, JPEG, BMP, GIF or WebP, up to 10 MB)", page);
        Assert.Contains("accept=\".png,.jpg,.jpeg,.bmp,.gif,.webp\"", page);
        Assert.DoesNotContain("{{", page);
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
        Assert.Equal("'notes.png' is not an image this server can read (PNG, JPEG, BMP, GIF or WebP)", body.GetProperty("error").GetString());
    }

    /// <summary>The formats the error message names are the formats it takes, as an image folder reads them.</summary>
    [Theory]
    [InlineData("green.jpg")]
    [InlineData("green.webp")]
    [InlineData("green.bmp")]
    [InlineData("one-pixel.gif")]
    public async Task EveryFormatTheMessagesNameIsScored(string fileName)
    {
        var path = server.Directory.Combine("formats", fileName);
        if (fileName.EndsWith(".gif"))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, SyntheticImages.OnePixelGif);
        }
        else
            SyntheticImages.WriteImageFile(path, 96, 20, 200, 20);

        var (status, body) = await Post(Form(File.ReadAllBytes(path), fileName));

        Assert.Equal(HttpStatusCode.OK, status);
        if (!fileName.EndsWith(".gif"))
            Assert.Equal("green", body.GetProperty("predictions")[0].GetProperty("class").GetString());
    }

    [Fact]
    public async Task AnUnexpectedFailureIsA500WithAJsonErrorAndOneLineInTheLog()
    {
        var log = new StringWriter();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        ModelServer.ReportFailures(app, log);
        app.MapGet("/fails", string () => throw new InvalidOperationException("the model's session is gone\nsecond line"));
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        using var response = await client.GetAsync("/fails");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Equal("the server failed on this request; its log says why", error);
        Assert.Equal("GET /fails failed: InvalidOperationException: the model's session is gone second line" + Environment.NewLine, log.ToString());
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
    public async Task AnImageThatDeclaresMoreThanFiftyMegapixelsIsA413BeforeItIsDecoded()
    {
        // 8,000 x 8,000 one-bit pixels compress to a few kilobytes; decoded as BGRA they would take 256 MB.
        var bomb = OneBitBlackPng(8000, 8000);
        Assert.True(bomb.Length < 100_000, $"{bomb.Length} bytes");

        var (status, body) = await Post(Form(bomb, "bomb.png"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("'bomb.png' is 8000x8000 pixels; this server decodes at most 50 megapixels", body.GetProperty("error").GetString());
        var (small, _) = await Post(Form(OneBitBlackPng(7000, 7000), "large-but-allowed.png"));
        Assert.Equal(HttpStatusCode.OK, small);
    }

    /// <summary>A valid grayscale PNG (bit depth 1) of black pixels, written by hand so that its size is the only thing tested.</summary>
    static byte[] OneBitBlackPng(int width, int height)
    {
        static void Chunk(BinaryWriter png, string type, byte[] data)
        {
            var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            png.Write(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(data.Length));
            png.Write(typed);
            png.Write(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(Crc32(typed)));
        }
        // PNG's CRC (ISO 3309, reflected polynomial 0xEDB88320), bit by bit: three chunks do not earn a package.
        static uint Crc32(byte[] bytes)
        {
            uint crc = 0xFFFFFFFF;
            foreach (var b in bytes)
            {
                crc ^= b;
                for (int bit = 0; bit < 8; bit++)
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
            return ~crc;
        }
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 1;   // bit depth; colour type 0 (grayscale), deflate, no filter, no interlace
        var compressed = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[1 + (width + 7) / 8];   // filter byte 0, then zeros
            for (int y = 0; y < height; y++)
                zlib.Write(row);
        }
        using var png = new MemoryStream();
        using (var writer = new BinaryWriter(png))
        {
            writer.Write(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A });
            Chunk(writer, "IHDR", header);
            Chunk(writer, "IDAT", compressed.ToArray());
            Chunk(writer, "IEND", Array.Empty<byte>());
        }
        return png.ToArray();
    }

    [Fact]
    public async Task AnIndexEmbeddedWithAnotherEncoderRefusesToStartWithOneLine()
    {
        using var other = new TempDirectory();
        File.WriteAllLines(other.Combine("embeddings.csv"), new[] { "path,label,f0,f1,f2", "a.png,red,0.1,0.2,0.3", "b.png,green,0.3,0.2,0.1" });

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ModelServer.StartAsync(server.Model, other.Path, "127.0.0.1", 0, onnxThreads: 1));

        Assert.Contains("embeddings.csv' holds 3 features per image", error.Message);
        Assert.Contains("model.zip' outputs", error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    [Fact]
    public void AnIndexWithARowOfAnotherWidthIsRefusedByLine()
    {
        using var ragged = new TempDirectory();
        File.WriteAllLines(ragged.Combine("embeddings.csv"), new[] { "path,label,f0,f1,f2", "a.png,red,0.1,0.2,0.3", "b.png,green,0.3,0.2" });

        var error = Assert.Throws<InvalidDataException>(() => ImageIndex.Load(ragged.Path));

        Assert.EndsWith("embeddings.csv' line 3: 2 features where line 2 has 3.", error.Message);
    }

    /// <summary>96 px is resized to the model's 32; a 32 px image passes through ResizeImages unchanged (see the next test).</summary>
    [Theory]
    [InlineData(96)]
    [InlineData(ServerFixture.ModelImageSize)]
    public async Task ConcurrentRequestsGetTheAnswerOfASingleOne(int imageSize)
    {
        var path = server.Directory.Combine($"blue-{imageSize}.png");
        SyntheticImages.WriteImageFile(path, imageSize, 20, 20, 200);
        var bytes = File.ReadAllBytes(path);
        var single = (await Post(Form(bytes))).Body.GetProperty("predictions").GetRawText();

        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ => (await Post(Form(bytes))).Body.GetProperty("predictions").GetRawText()));

        Assert.All(answers, answer => Assert.Equal(single, answer));
    }

    /// <summary>
    /// Why <see cref="ImageClassifier.PredictAndDispose"/> disposes its image while it holds the engine: a
    /// PredictionEngine disposes an image that ResizeImages passed through at its next prediction, whoever owns it.
    /// If ML.NET stops doing so, this fails, and the pool could leave images to their callers again.
    /// </summary>
    [Fact]
    public void AnEnginesNextPredictionDisposesAnImageAtTheModelsSizeThatItWasGivenBefore()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(server.Model, out _);
        using var engine = ml.Model.CreatePredictionEngine<ImageClassifier.ImageInput, ImageClassifier.ImagePrediction>(model, ignoreMissingColumns: true);
        const int size = ServerFixture.ModelImageSize;
        using var atModelSize = MLImage.CreateFromPixels(size, size, MLPixelFormat.Bgra32, new byte[size * size * 4]);
        using var larger = MLImage.CreateFromPixels(96, 96, MLPixelFormat.Bgra32, new byte[96 * 96 * 4]);

        engine.Predict(new ImageClassifier.ImageInput { Image = larger });
        engine.Predict(new ImageClassifier.ImageInput { Image = atModelSize });
        Assert.Equal(96, larger.Width);   // resized: the engine disposed its own copy, not this
        engine.Predict(new ImageClassifier.ImageInput { Image = larger });

        Assert.Throws<InvalidOperationException>(() => atModelSize.Width);
    }

    [Fact]
    public void PredictAndDisposeDisposesTheImageAndScoresAsAFreshEngineDoes()
    {
        using var classifier = new ImageClassifier(server.Model, onnxThreads: 1);
        var image = MLImage.CreateFromFile(server.ImageOf("red"));
        var ml = new MLContext(seed: 1);
        using var engine = ml.Model.CreatePredictionEngine<ImageClassifier.ImageInput, ImageClassifier.ImagePrediction>(ml.Model.Load(server.Model, out _), ignoreMissingColumns: true);
        using var copy = MLImage.CreateFromFile(server.ImageOf("red"));
        var expected = engine.Predict(new ImageClassifier.ImageInput { Image = copy }).Score;

        var (probabilities, features) = classifier.PredictAndDispose(image);

        Assert.Equal(expected, probabilities);
        Assert.NotNull(features);
        Assert.Throws<InvalidOperationException>(() => image.Width);
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

    [Fact]
    public void BenchServeLoadsAServerThatSearchesAnIndexWithTheGivenImage()
    {
        var (code, output) = Cli.CliRunner.Run("bench", "serve", "--model", server.Model, "--index", server.Index, "--image", server.ImageOf("red"),
            "--clients", "2", "--seconds", "1", "--onnx-threads", "1");

        Assert.True(code == 0, output);
        Assert.Contains($"with the index {server.Index}, 2 clients on loopback posting {server.ImageOf("red")}", output);
        Assert.Matches(@"[1-9][0-9.]* requests/s", output);
        var (missing, error) = Cli.CliRunner.Run("bench", "serve", "--image", server.Directory.Combine("no-such.png"));
        Assert.NotEqual(0, missing);
        Assert.Contains("--image", Cli.CliRunner.OneErrorLine(error));
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
