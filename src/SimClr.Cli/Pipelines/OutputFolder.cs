namespace SimClr.Cli.Pipelines;

/// <summary>
/// A run's output folder: created with its missing parents and checked writable before anything else happens, and
/// removed again if the run fails before writing a file there, so that a mistake leaves no empty folder behind.
/// </summary>
internal sealed class OutputFolder
{
    // The outermost folder this run created; null when the output folder already existed.
    readonly string? _created;

    OutputFolder(string? created) => _created = created;

    /// <summary>Creates <paramref name="directory"/> if needed and checks that files can be written there.</summary>
    /// <exception cref="PipelineException">The folder cannot be created or written; the message names it.</exception>
    public static OutputFolder Prepare(string directory)
    {
        string? created = null;
        for (var folder = Path.GetFullPath(directory); folder != null && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
            created = folder;
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".write-test-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            new OutputFolder(created).RemoveIfEmpty();
            throw new PipelineException($"Cannot write to output directory '{directory}': {e.Message}");
        }
        return new OutputFolder(created);
    }

    /// <summary>After a failure: deletes the folders this run created if they hold no file.</summary>
    public void RemoveIfEmpty()
    {
        if (_created == null || !Directory.Exists(_created) || Directory.EnumerateFiles(_created, "*", SearchOption.AllDirectories).Any())
            return;
        try
        {
            Directory.Delete(_created, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Tidying up must not hide the error that ended the run.
        }
    }
}
