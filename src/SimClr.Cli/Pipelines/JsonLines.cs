using System.Text;
using System.Text.Json;

namespace SimClr.Cli.Pipelines;

/// <summary>Finds where an option sits in a pipeline file, so that an error found after parsing can still give its line.</summary>
public static class JsonLines
{
    /// <summary>
    /// The 1-based line of the property at <paramref name="path"/> ("experiments.pretrain.moCo.queueSize", matched
    /// case-insensitively, as the file is read), or of the deepest enclosing property the file has; null if none.
    /// </summary>
    public static int? Find(string json, string path)
    {
        var target = path.Split('.', StringSplitOptions.RemoveEmptyEntries);
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var stack = new List<string>();
        string? pending = null;
        int? best = null;
        int bestDepth = 0;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pending = reader.GetString();
                        var current = stack.Append(pending!).ToArray();
                        int matched = Matching(current, target);
                        if (matched == current.Length && matched > bestDepth)
                        {
                            (best, bestDepth) = (Line(bytes, reader.TokenStartIndex), matched);
                            if (matched == target.Length)
                                return best;
                        }
                        break;
                    case JsonTokenType.StartObject:
                        if (pending != null)
                            stack.Add(pending);
                        pending = null;
                        break;
                    case JsonTokenType.EndObject:
                        if (stack.Count > 0 && reader.CurrentDepth < stack.Count + 1)
                            stack.RemoveAt(stack.Count - 1);
                        break;
                    default:
                        pending = null;
                        break;
                }
            }
        }
        catch (JsonException)
        {
        }
        return best;
    }

    static int Matching(string[] current, string[] target)
    {
        int n = 0;
        while (n < current.Length && n < target.Length && string.Equals(current[n], target[n], StringComparison.OrdinalIgnoreCase))
            n++;
        return n;
    }

    static int Line(byte[] bytes, long index) => 1 + bytes.AsSpan(0, (int)index).Count((byte)'\n');
}
