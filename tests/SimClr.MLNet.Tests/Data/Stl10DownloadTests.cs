using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using SimClr.MLNet.Data;
using SimClr.MLNet.Tests.Support;

namespace SimClr.MLNet.Tests.Data;

/// <summary>The downloader against an in-memory server: no test touches the network.</summary>
public class Stl10DownloadTests
{
    static readonly Uri Url = new("http://example.invalid/stl10_binary.tar.gz");

    static byte[] MakeTarball()
    {
        using var source = new TempDirectory();
        SyntheticImages.WriteStl10(Path.Combine(source.Path, Stl10Format.ArchiveFolder), train: 2);
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            TarFile.CreateFromDirectory(Path.Combine(source.Path, Stl10Format.ArchiveFolder), gzip, includeBaseDirectory: true);
        return buffer.ToArray();
    }

    static Stl10Archive ArchiveOf(byte[] tarball) => new(Url, tarball.Length, Convert.ToHexStringLower(MD5.HashData(tarball)));

    sealed class FakeServer(byte[] body, bool failOffline = false) : HttpMessageHandler
    {
        public List<long?> RangeStarts { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (failOffline)
                throw new HttpRequestException("Name or service not known (example.invalid:80)");
            long? from = request.Headers.Range?.Ranges.First().From;
            RangeStarts.Add(from);
            var response = new HttpResponseMessage(from is null ? HttpStatusCode.OK : HttpStatusCode.PartialContent)
            {
                Content = new ByteArrayContent(body, (int)(from ?? 0), body.Length - (int)(from ?? 0)),
            };
            return Task.FromResult(response);
        }
    }

    [Fact]
    public async Task DownloadsVerifiesAndExtracts()
    {
        var tarball = MakeTarball();
        using var dir = new TempDirectory();
        var server = new FakeServer(tarball);
        var reports = new List<DownloadProgress>();

        var extracted = await new Stl10Download(server, ArchiveOf(tarball)).RunAsync(dir.Path, new SyncProgress(reports.Add));

        Assert.Equal(2, Stl10DataView.Open(extracted, Stl10Split.Train).RowCount);
        Assert.Equal(new long?[] { null }, server.RangeStarts);
        Assert.Contains(reports, r => r.Stage == "download" && r.Bytes == tarball.Length);
        Assert.False(File.Exists(dir.Combine("stl10_binary.tar.gz.partial")));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".extract-*"));
    }

    [Fact]
    public async Task ResumesAPartialDownloadWithARangeRequest()
    {
        var tarball = MakeTarball();
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.Combine("stl10_binary.tar.gz.partial"), tarball[..100]);
        var server = new FakeServer(tarball);

        await new Stl10Download(server, ArchiveOf(tarball)).RunAsync(dir.Path);

        Assert.Equal(new long?[] { 100 }, server.RangeStarts);
        Assert.Equal(tarball, File.ReadAllBytes(dir.Combine("stl10_binary.tar.gz")));
    }

    [Fact]
    public async Task WrongChecksumIsRejectedAndThePartialFileDeleted()
    {
        var tarball = MakeTarball();
        using var dir = new TempDirectory();
        var archive = ArchiveOf(tarball) with { Md5 = new string('0', 32) };

        var error = await Assert.ThrowsAsync<Stl10DownloadException>(() => new Stl10Download(new FakeServer(tarball), archive).RunAsync(dir.Path));

        Assert.Contains("MD5", error.Message);
        Assert.False(File.Exists(dir.Combine("stl10_binary.tar.gz.partial")));
        Assert.False(Directory.Exists(dir.Combine(Stl10Format.ArchiveFolder)));
    }

    [Fact]
    public async Task OfflineFailureSaysWhereToPutTheFiles()
    {
        using var dir = new TempDirectory();
        var error = await Assert.ThrowsAsync<Stl10DownloadException>(
            () => new Stl10Download(new FakeServer([], failOffline: true)).RunAsync(dir.Path));

        Assert.Contains(dir.Combine("stl10_binary.tar.gz"), error.Message);
        Assert.Contains("91f7769df0f17e558f3565bffb0c7dfb", error.Message);
        Assert.Contains("train_X.bin", error.Message);
    }

    [Fact]
    public async Task ATarballPlacedByHandIsVerifiedAndExtractedWithoutDownloading()
    {
        var tarball = MakeTarball();
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.Combine("stl10_binary.tar.gz"), tarball);
        var server = new FakeServer(tarball);

        await new Stl10Download(server, ArchiveOf(tarball)).RunAsync(dir.Path);

        Assert.Empty(server.RangeStarts);
        Assert.True(File.Exists(dir.Combine(Stl10Format.ArchiveFolder, "train_X.bin")));
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; tests need reports in order, on time.</summary>
    sealed class SyncProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
