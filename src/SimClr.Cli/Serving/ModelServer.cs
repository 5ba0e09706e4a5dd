using System.Globalization;
using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Data;
using SimClr.MLNet.Data;
using SkiaSharp;

namespace SimClr.Cli.Serving;

/// <summary>
/// <c>simclr serve</c>: a classifier behind an ASP.NET Core minimal API and one static page. <c>GET /</c> is the page,
/// <c>POST /predict</c> (multipart, field <c>image</c>) returns the classes with their probabilities and, with an index,
/// the nearest indexed images; <c>GET /health</c> says what is served. Stateless: replicas behind any load balancer
/// serve the same answers.
/// </summary>
public sealed class ModelServer : IAsyncDisposable
{
    /// <summary>Uploads above 10 MB are refused with 413.</summary>
    public const long MaxUploadBytes = MaxUploadMegabytes * 1024 * 1024;

    const int MaxUploadMegabytes = 10;

    /// <summary>
    /// Images that declare more pixels are refused with 413 before they are decoded: a 1.2 MB PNG of one colour can
    /// declare 20,000 x 20,000 pixels, and decoding it took 1.8 GB and 8 s here. 50 megapixels is a large phone photo.
    /// </summary>
    public const long MaxImagePixels = 50_000_000;

    /// <summary>Nearest indexed images returned per request.</summary>
    const int Neighbours = 8;

    readonly WebApplication _app;
    readonly ImageClassifier _classifier;

    ModelServer(WebApplication app, ImageClassifier classifier, string address)
        => (_app, _classifier, Address) = (app, classifier, address);

    /// <summary>The base address it listens on, such as http://127.0.0.1:5000.</summary>
    public string Address { get; }

    /// <summary>
    /// Loads the model (and index), then starts listening on <paramref name="host"/>:<paramref name="port"/> (0: any
    /// free port); each request's scoring call runs on <paramref name="onnxThreads"/> ONNX Runtime threads (0: its default).
    /// A request that fails unexpectedly gets 500 and one line on <paramref name="errorLog"/> (standard error if null).
    /// </summary>
    /// <exception cref="InvalidDataException">The model is not a classifier of ours, or the index does not fit it; the message names the file.</exception>
    public static async Task<ModelServer> StartAsync(string modelPath, string? indexDirectory, string host, int port, int onnxThreads, TextWriter? errorLog = null)
    {
        var classifier = new ImageClassifier(modelPath, onnxThreads);
        try
        {
            var index = indexDirectory == null ? null : ImageIndex.Load(indexDirectory);
            if (index != null && !classifier.HasFeatures)
                throw new InvalidDataException($"'{modelPath}' outputs no Features, so it cannot search an index; save it again with this version, or serve it without --index.");
            if (index != null && classifier.FeatureCount is > 0 and var features && features != index.Width)
                throw new InvalidDataException($"'{Path.Combine(indexDirectory!, "embeddings.csv")}' holds {index.Width} features per image, '{modelPath}' outputs {features}: embed the index with this model (simclr embed --model {modelPath}).");
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = Array.Empty<string>(), ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                // Room for the multipart framing around a file of the largest size we take; bigger bodies get 413 from Kestrel.
                kestrel.Limits.MaxRequestBodySize = MaxUploadBytes + 64 * 1024;
                kestrel.Listen(IPAddress.Parse(host), port);
            });
            var app = builder.Build();
            ReportFailures(app, errorLog ?? Console.Error);
            Map(app, classifier, index);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new ModelServer(app, classifier, address);
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }

    /// <summary>The server keeps no logger (its output is the command's), so without this a failure is a bare 500 that nobody sees.</summary>
    internal static void ReportFailures(IApplicationBuilder app, TextWriter errorLog) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            lock (errorLog)
                errorLog.WriteLine($"{context.Request.Method} {context.Request.Path} failed: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            await Error(500, "the server failed on this request; its log says why").ExecuteAsync(context);
        }
    });

    static void Map(WebApplication app, ImageClassifier classifier, ImageIndex? index)
    {
        var page = ReadPage();
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapGet("/health", () => Results.Json(new
        {
            status = "ok", model = Path.GetFileName(classifier.ModelPath), classes = classifier.ClassNames, indexedImages = index?.Paths.Count ?? 0,
        }));
        app.MapPost("/predict", (HttpRequest request) => Predict(request, classifier, index));
        app.MapGet("/index/{row:int}", (int row) =>
            index == null || row < 0 || row >= index.Paths.Count || !File.Exists(index.Paths[row])
                ? Results.NotFound()
                : Results.File(Path.GetFullPath(index.Paths[row]), ContentType(index.Paths[row])));
    }

    static async Task<IResult> Predict(HttpRequest request, ImageClassifier classifier, ImageIndex? index)
    {
        IFormFile? file;
        try
        {
            if (!request.HasFormContentType)
                return Error(400, "send the image as multipart/form-data, in a field named image");
            var form = await request.ReadFormAsync();
            file = form.Files["image"] ?? form.Files.FirstOrDefault();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Error(413, $"the upload is larger than {MaxUploadMegabytes} MB");
        }
        catch (InvalidDataException e)
        {
            return Error(400, $"the form could not be read: {e.Message}");
        }
        if (file == null || file.Length == 0)
            return Error(400, $"the upload is empty; send one image ({ImageFileReader.ReadableFormats}) in a field named image");
        if (file.Length > MaxUploadBytes)
            return Error(413, $"the upload is larger than {MaxUploadMegabytes} MB");

        var bytes = new byte[file.Length];
        await using (var upload = file.OpenReadStream())
            await upload.ReadExactlyAsync(bytes);
        if (DeclaredSize(bytes) is { } size && (long)size.Width * size.Height > MaxImagePixels)
            return Error(413, $"'{file.FileName}' is {size.Width}x{size.Height} pixels; this server decodes at most {MaxImagePixels / 1_000_000} megapixels");
        MLImage image;
        try
        {
            image = MLImage.CreateFromStream(new MemoryStream(bytes, writable: false));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            return Error(400, $"'{file.FileName}' is not an image this server can read ({ImageFileReader.ReadableFormats})");
        }
        var (probabilities, features) = classifier.PredictAndDispose(image);
        var classes = probabilities.Select((p, i) => new { @class = classifier.ClassNames[i], probability = p })
            .OrderByDescending(c => c.probability).ToArray();
        var neighbors = index == null || features == null ? Array.Empty<object>()
            : index.Nearest(features, Neighbours).Select(n => (object)new
            {
                row = n.Row, path = index.Paths[n.Row], label = index.Labels[n.Row], similarity = n.Similarity,
                url = "/index/" + n.Row.ToString(CultureInfo.InvariantCulture),
            }).ToArray();
        return Results.Json(new { predictions = classes, neighbors });
    }

    /// <summary>The width and height an image's header declares, read without decoding it; null for what Skia cannot read.</summary>
    static SKSizeI? DeclaredSize(byte[] bytes)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        return codec?.Info.Size;
    }

    static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    static readonly FileExtensionContentTypeProvider ContentTypes = new();

    static string ContentType(string path)
        => ContentTypes.TryGetContentType(path, out var type) ? type : "application/octet-stream";

    static string ReadPage()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("serve-index.html")
            ?? throw new InvalidOperationException("The serve page is missing from the build (serve-index.html).");
        using var reader = new StreamReader(stream);
        // The formats and the size limit are the server's own, so the page cannot promise what the API refuses.
        return reader.ReadToEnd()
            .Replace("{{formats}}", ImageFileReader.ReadableFormats)
            .Replace("{{extensions}}", string.Join(",", ImageFileReader.Extensions))
            .Replace("{{maxMegabytes}}", MaxUploadMegabytes.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Runs until <paramref name="cancellation"/> fires (Ctrl+C for the command).</summary>
    public async Task WaitAsync(CancellationToken cancellation)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellation);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _classifier.Dispose();
    }
}
