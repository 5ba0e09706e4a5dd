using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace SimClr.MLNet.Data;

/// <summary>Where to fetch STL-10 from, and what it must look like.</summary>
public sealed record Stl10Archive(Uri Url, long Size, string Md5)
{
    /// <summary>The official tarball: 2,640,397,119 bytes, MD5 91f7769df0f17e558f3565bffb0c7dfb.</summary>
    public static Stl10Archive Official { get; } = new(
        new Uri("http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz"), 2_640_397_119, "91f7769df0f17e558f3565bffb0c7dfb");

    /// <summary>The tarball's file name.</summary>
    public string FileName => Path.GetFileName(Url.AbsolutePath);
}

/// <summary>Progress of a download: bytes on disk so far, of the total.</summary>
public readonly record struct DownloadProgress(long Bytes, long TotalBytes, string Stage);

/// <summary>A download that could not complete; the message says what to do instead.</summary>
public sealed class Stl10DownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Downloads, verifies and extracts STL-10. A partial download (<c>*.partial</c>) resumes with an HTTP range
/// request; the finished file is checked for size and MD5 before it is renamed and extracted, and extraction
/// goes to a temporary folder that is renamed at the end, so an interrupted run never leaves half a dataset.
/// </summary>
public sealed class Stl10Download(HttpMessageHandler? handler = null, Stl10Archive? archive = null)
{
    readonly Stl10Archive _archive = archive ?? Stl10Archive.Official;

    /// <summary>
    /// Makes <c>directory/stl10_binary</c> hold the extracted dataset and returns that folder. Skips the
    /// download if the verified tarball is already in <paramref name="directory"/>, and everything if the
    /// dataset is already extracted.
    /// </summary>
    /// <exception cref="Stl10DownloadException">The download or the checks failed; the message says where to put the files by hand.</exception>
    public async Task<string> RunAsync(string directory, IProgress<DownloadProgress>? progress = null, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(directory);
        var extracted = Path.Combine(directory, Stl10Format.ArchiveFolder);
        if (File.Exists(Path.Combine(extracted, Stl10Format.ClassNamesFile)))
            return extracted;

        var tarball = Path.Combine(directory, _archive.FileName);
        if (!File.Exists(tarball))
            await DownloadAsync(tarball, progress, cancellation).ConfigureAwait(false);
        Verify(tarball, deleteIfWrong: false, progress);
        Extract(tarball, directory, progress);
        return extracted;
    }

    async Task DownloadAsync(string tarball, IProgress<DownloadProgress>? progress, CancellationToken cancellation)
    {
        var partial = tarball + ".partial";
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using var client = handler == null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        client.Timeout = Timeout.InfiniteTimeSpan;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _archive.Url);
            if (have > 0)
                request.Headers.Range = new RangeHeaderValue(have, null);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have == _archive.Size)
            {
                File.Move(partial, tarball);
                return;
            }
            response.EnsureSuccessStatusCode();
            bool resumed = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
            if (!resumed)
                have = 0;
            await using (var body = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false))
            await using (var file = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                var buffer = new byte[1 << 20];
                int read;
                progress?.Report(new DownloadProgress(have, _archive.Size, "download"));
                while ((read = await body.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellation).ConfigureAwait(false);
                    have += read;
                    progress?.Report(new DownloadProgress(have, _archive.Size, "download"));
                }
            }
        }
        catch (HttpRequestException e)
        {
            throw new Stl10DownloadException(
                $"Could not download {_archive.Url} ({e.Message}). If this machine is offline, fetch the file elsewhere and " +
                $"put it at '{tarball}' ({_archive.Size:N0} bytes, MD5 {_archive.Md5}), then run the command again to verify " +
                $"and extract it; or extract it yourself so that '{Path.Combine(Path.GetDirectoryName(tarball)!, Stl10Format.ArchiveFolder, "train_X.bin")}' exists.", e);
        }
        Verify(partial, deleteIfWrong: true, progress: null);
        File.Move(partial, tarball, overwrite: true);
    }

    void Verify(string path, bool deleteIfWrong, IProgress<DownloadProgress>? progress)
    {
        long size = new FileInfo(path).Length;
        string? problem = null;
        if (size != _archive.Size)
            problem = $"is {size:N0} bytes, expected {_archive.Size:N0}";
        else
        {
            progress?.Report(new DownloadProgress(size, _archive.Size, "verify"));
            using var stream = File.OpenRead(path);
            var md5 = Convert.ToHexStringLower(MD5.HashData(stream));
            if (md5 != _archive.Md5)
                problem = $"has MD5 {md5}, expected {_archive.Md5}";
        }
        if (problem == null)
            return;
        if (deleteIfWrong)
            File.Delete(path);
        throw new Stl10DownloadException(
            $"'{path}' {problem}; it is {(deleteIfWrong ? "deleted, run the command again" : "corrupt, delete it and run the command again")}.");
    }

    static void Extract(string tarball, string directory, IProgress<DownloadProgress>? progress)
    {
        progress?.Report(new DownloadProgress(0, 0, "extract"));
        var staging = Path.Combine(directory, $".extract-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(staging);
            using (var file = File.OpenRead(tarball))
            using (var gzip = new GZipStream(file, CompressionMode.Decompress))
                TarFile.ExtractToDirectory(gzip, staging, overwriteFiles: true);
            var source = Path.Combine(staging, Stl10Format.ArchiveFolder);
            if (!File.Exists(Path.Combine(source, Stl10Format.ClassNamesFile)))
                throw new Stl10DownloadException($"'{tarball}' does not contain {Stl10Format.ArchiveFolder}/{Stl10Format.ClassNamesFile}; it is not the STL-10 archive.");
            var target = Path.Combine(directory, Stl10Format.ArchiveFolder);
            if (Directory.Exists(target))
                Directory.Delete(target, recursive: true);
            Directory.Move(source, target);
        }
        finally
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
        }
    }
}
