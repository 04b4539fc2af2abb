using System.Text.Json;

namespace Backprop.IO;

/// <summary>Finds a key given twice in one JSON object, which <see cref="JsonDocument"/> accepts, keeping the last.</summary>
/// <remarks>NOTE: a file giving "learning_rate" (or a layer's "kernel") twice ran with the second value while a
/// reader of the text saw the first; each object's keys must be distinct.</remarks>
public static class JsonDuplicateKeys
{
    /// <summary>The first repeated key: its path ("layers[0].bias") and where its two occurrences start (UTF-8 byte
    /// offsets), or null. Malformed JSON throws <see cref="JsonException"/>, as parsing would.</summary>
    public static (string Path, long First, long Second)? Find(byte[] utf8)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        // The open objects and arrays, innermost on top; the path of the next value is worked out from the top one.
        var open = new Stack<Container>();
        string? key = null;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                var container = open.Peek();
                key = reader.GetString()!;
                string path = container.Path.Length == 0 ? key : $"{container.Path}.{key}";
                if (container.Keys!.TryGetValue(key, out long first))
                    return (path, first, reader.TokenStartIndex);
                container.Keys.Add(key, reader.TokenStartIndex);
                continue;
            }
            if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                open.Pop();
                continue;
            }
            // A value: its path is its key in an object, or its index in an array.
            string valuePath = open.Count == 0 ? ""
                : open.Peek() is { Keys: not null } parent ? (parent.Path.Length == 0 ? key! : $"{parent.Path}.{key}")
                : $"{open.Peek().Path}[{open.Peek().NextIndex++}]";
            if (reader.TokenType == JsonTokenType.StartObject) open.Push(new Container(valuePath, new Dictionary<string, long>()));
            else if (reader.TokenType == JsonTokenType.StartArray) open.Push(new Container(valuePath, null));
        }
        return null;
    }

    /// <summary>The 1-based line of the byte at <paramref name="offset"/>.</summary>
    public static long Line(byte[] utf8, long offset)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        return 1 + utf8.AsSpan(0, (int)offset).Count((byte)'\n');
    }

    /// <summary>An open object (with the keys seen so far and where each starts, in UTF-8 bytes) or array.</summary>
    private sealed class Container(string path, Dictionary<string, long>? keys)
    {
        public string Path { get; } = path;
        public Dictionary<string, long>? Keys { get; } = keys;
        public int NextIndex { get; set; }
    }
}
