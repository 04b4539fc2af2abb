using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Backprop.IO;

/// <summary>The tensors and string metadata of one safetensors file.</summary>
public sealed record SafeTensorsFile(IReadOnlyDictionary<string, SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The SHA-256 of the file's tensor data (every byte after the header), in lowercase hex.</summary>
    public string DataSha256 { get; init; } = "";
}

/// <summary>
/// The safetensors format (huggingface/safetensors), F32 and F64 tensors:
/// <code>
/// [8 bytes]  N, the header length, u64 little-endian
/// [N bytes]  UTF-8 JSON: {"__metadata__": {string: string}, "&lt;name&gt;": {"dtype", "shape", "data_offsets": [begin, end]}, …}
///            padded with spaces to a multiple of 8, so the data that follows stays aligned
/// [rest]     the tensors' little-endian bytes; offsets count from the first byte after the header
/// </code>
/// Written as the reference implementation writes it: tensors ordered by element size (largest first),
/// then by name, packed without gaps, the metadata first in the header.
/// </summary>
public static class SafeTensors
{
    /// <summary>The reference implementation refuses larger headers; so do we, before allocating one.</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>Every dtype the format defines, so that a known-but-unsupported one gets its own message.</summary>
    private static readonly HashSet<string> OtherKnownDTypes =
        ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "I64", "U64"];

    /// <summary>
    /// Writes the tensors and metadata to <paramref name="path"/> through a temporary file and a rename
    /// (see <see cref="AtomicFile"/>): on failure an existing file is left untouched.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        RequireLittleEndian();
        foreach (var name in tensors.Keys)
            if (name.Length == 0 || name == MetadataKey) throw new ArgumentException($"\"{name}\" cannot name a tensor", nameof(tensors));

        var ordered = InFileOrder(tensors);
        byte[] header = Header(ordered, metadata);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, tensor) in ordered) stream.Write(tensor.Bytes);
        });
    }

    /// <summary>Largest elements first, so every tensor starts aligned to its element size; then by name.</summary>
    private static KeyValuePair<string, SafeTensor>[] InFileOrder(IReadOnlyDictionary<string, SafeTensor> tensors) =>
        tensors.OrderByDescending(pair => pair.Value.ElementSize).ThenBy(pair => pair.Key, StringComparer.Ordinal).ToArray();

    /// <summary>The SHA-256, in lowercase hex, of the tensor data that <see cref="Write"/> writes for
    /// <paramref name="tensors"/>: what <see cref="SafeTensorsFile.DataSha256"/> reads back from an undamaged file.</summary>
    public static string DataSha256(IReadOnlyDictionary<string, SafeTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        RequireLittleEndian();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (_, tensor) in InFileOrder(tensors)) hash.AppendData(tensor.Bytes);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The compact JSON header, padded with spaces to a multiple of 8 bytes.</summary>
    private static byte[] Header(KeyValuePair<string, SafeTensor>[] ordered, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in ordered)
            {
                long end = offset + (long)tensor.Length * tensor.ElementSize;
                json.WriteStartObject(name);
                json.WriteString("dtype", tensor.DType.ToString());
                json.WriteStartArray("shape");
                foreach (int dimension in tensor.Shape) json.WriteNumberValue(dimension);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }
        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    /// <summary>Whether <paramref name="bytes"/> start as a safetensors file does: an 8-byte little-endian header
    /// length that fits the file, then a JSON header opening with '{'. For telling such a file from another kind.</summary>
    internal static bool LooksLikeOne(ReadOnlySpan<byte> bytes) =>
        bytes.Length > 9 && BinaryPrimitives.ReadUInt64LittleEndian(bytes) is var length && length >= 2
        && length <= (ulong)(bytes.Length - 8) && bytes[8] == (byte)'{';

    // A header length is a little-endian number below 100 MB: its last bytes are zeros, never printable text.
    private static bool BeginsWithText(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
            if (b is < 0x20 or > 0x7E && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r')) return false;
        return true;
    }

    private static string Escaped(ReadOnlySpan<byte> text) =>
        System.Text.Encoding.ASCII.GetString(text).Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t").Replace("\"", "\\\"");

    /// <summary>
    /// Reads and validates a whole file: the header length against the file size, the header as a JSON
    /// object, every entry's dtype, shape and offsets (inside the data, packed without gaps or overlaps,
    /// covering it exactly, as many bytes as the shape needs), and the metadata as strings.
    /// </summary>
    /// <exception cref="ModelFormatException">naming the file and the field at fault.</exception>
    public static SafeTensorsFile Read(string path)
    {
        RequireLittleEndian();
        ModelFormatException Error(string field, string problem) => new(path, field, problem);
        using var stream = Seekable(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16), Error);

        long fileLength = stream.Length;
        if (fileLength < 8) throw Error("header length", $"the file has {fileLength} bytes, too few for the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderLength || (long)headerLength > fileLength - 8)
        {
            // NOTE: a JSON explain model or a CSV given as --model lands here; say what the file looks like.
            if (BeginsWithText(lengthBytes))
                throw Error("header length", $"this is not a model file: it begins with text (\"{Escaped(lengthBytes)}\"), " +
                    "while a model (safetensors, as backprop train --out writes it) begins with its header's length in binary");
            if (headerLength > MaxHeaderLength) throw Error("header length", $"{headerLength} bytes is more than the {MaxHeaderLength} a header may have");
            throw Error("header length", $"{headerLength} bytes runs past the end of the file ({fileLength - 8} bytes follow the length)");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = fileLength - 8 - (long)headerLength;
        if (dataLength > Array.MaxLength) throw Error("data", $"{dataLength} bytes of tensor data is more than one array can hold");

        var entries = ParseHeader(header, dataLength, Error, out var metadata);
        CheckPacking(entries, dataLength, Error);

        var data = new byte[dataLength];
        stream.ReadExactly(data);
        var tensors = new Dictionary<string, SafeTensor>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries)
            tensors[entry.Name] = SafeTensor.FromBytes(entry.DType, entry.Shape, data.AsSpan((int)entry.Begin, (int)(entry.End - entry.Begin)));
        return new SafeTensorsFile(tensors, metadata) { DataSha256 = Convert.ToHexStringLower(SHA256.HashData(data)) };
    }

    /// <summary><paramref name="file"/> itself, or for a pipe or device (`--model /dev/stdin`), its content in memory:
    /// all of it, or only its first 8 bytes where they are no header length, which is all the errors then need.</summary>
    /// <remarks>NOTE: the header length is checked against the file's length, which a pipe does not have: reading
    /// one was "internal error: NotSupportedException: Stream does not support seeking" (exit 1). And a pipe may not end:
    /// `head -c 3G /dev/zero | backprop eval --model -` was copied whole, to exit 1 ("Stream was too long") with 4 GB in use.</remarks>
    private static Stream Seekable(FileStream file, Func<string, string, ModelFormatException> error)
    {
        if (file.CanSeek) return file;
        using (file)
        {
            var content = new MemoryStream();
            Span<byte> lengthBytes = stackalloc byte[8];
            int got = file.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false);
            content.Write(lengthBytes[..got]);
            ulong headerLength = got == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes) : 0;
            if (got == 8 && headerLength is >= 1 and <= MaxHeaderLength)
            {
                // header, data, and one byte more, to tell a pipe that runs past what a file may hold
                long limit = (long)headerLength + Array.MaxLength;
                var buffer = new byte[1 << 16];
                for (int read; (read = file.Read(buffer)) > 0;)
                {
                    content.Write(buffer, 0, read);
                    if (content.Length - 8 > limit)
                        throw error("data", $"the input runs past {limit:N0} bytes after the header length, more than a model file can hold");
                }
            }
            content.Position = 0;
            return content;
        }
    }

    private sealed record Entry(string Name, SafeTensorDType DType, int[] Shape, long Begin, long End);

    private static List<Entry> ParseHeader(byte[] header, long dataLength, Func<string, string, ModelFormatException> error,
        out Dictionary<string, string> metadata)
    {
        // NOTE: checked up front; the JSON parser finds bad UTF-8 inside strings only when they are read.
        if (!System.Text.Unicode.Utf8.IsValid(header)) throw error("header", "is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException exception)
        {
            throw error("header", $"is not valid JSON ({exception.Message})");
        }
        using var _ = document;
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw error("header", $"the JSON is {Describe(root)}, not an object");

        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<Entry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!names.Add(property.Name)) throw error(property.Name, "appears twice in the header");
            if (property.Name == MetadataKey)
            {
                if (property.Value.ValueKind != JsonValueKind.Object) throw error(MetadataKey, $"is {Describe(property.Value)}, not an object of strings");
                foreach (var item in property.Value.EnumerateObject())
                {
                    if (item.Value.ValueKind != JsonValueKind.String) throw error($"{MetadataKey}.{item.Name}", $"is {Describe(item.Value)}, not a string");
                    if (!metadata.TryAdd(item.Name, item.Value.GetString()!)) throw error($"{MetadataKey}.{item.Name}", "appears twice");
                }
                continue;
            }
            entries.Add(ParseEntry(property.Name, property.Value, dataLength, error));
        }
        return entries;
    }

    private static Entry ParseEntry(string name, JsonElement value, long dataLength, Func<string, string, ModelFormatException> error)
    {
        if (value.ValueKind != JsonValueKind.Object) throw error(name, $"is {Describe(value)}, not a tensor entry");

        if (!value.TryGetProperty("dtype", out var dtypeJson) || dtypeJson.ValueKind != JsonValueKind.String)
            throw error($"{name}.dtype", "is missing or not a string");
        string dtypeName = dtypeJson.GetString()!;
        SafeTensorDType dtype = dtypeName switch
        {
            "F32" => SafeTensorDType.F32,
            "F64" => SafeTensorDType.F64,
            _ when OtherKnownDTypes.Contains(dtypeName) => throw error($"{name}.dtype", $"{dtypeName} is not supported (F32 and F64 are)"),
            _ => throw error($"{name}.dtype", $"\"{dtypeName}\" is not a safetensors dtype"),
        };

        if (!value.TryGetProperty("shape", out var shapeJson) || shapeJson.ValueKind != JsonValueKind.Array)
            throw error($"{name}.shape", "is missing or not an array");
        var shape = new int[shapeJson.GetArrayLength()];
        int axis = 0;
        foreach (var dimension in shapeJson.EnumerateArray())
        {
            if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt32(out shape[axis]) || shape[axis] < 0)
                throw error($"{name}.shape", $"dimension {axis} ({dimension.GetRawText()}) is not a size from 0 to {int.MaxValue}");
            axis++;
        }

        if (!value.TryGetProperty("data_offsets", out var offsetsJson) || offsetsJson.ValueKind != JsonValueKind.Array || offsetsJson.GetArrayLength() != 2
            || !offsetsJson[0].TryGetInt64(out long begin) || !offsetsJson[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw error($"{name}.data_offsets", $"{(value.TryGetProperty("data_offsets", out var raw) ? raw.GetRawText() : "(missing)")} is not a pair [begin, end] with 0 ≤ begin ≤ end");
        if (end > dataLength)
            throw error($"{name}.data_offsets", $"[{begin}, {end}] runs past the {dataLength} bytes of tensor data");

        // elements × element size must be the byte length; checked, since a hostile shape could overflow
        long byteLength;
        try
        {
            byteLength = checked(shape.Aggregate(1L, (product, dimension) => product * dimension) * SafeTensor.SizeOf(dtype));
        }
        catch (OverflowException)
        {
            throw error($"{name}.shape", $"[{string.Join(", ", shape)}] has more elements than a file can hold");
        }
        if (byteLength != end - begin)
            throw error($"{name}.data_offsets", $"[{begin}, {end}] spans {end - begin} bytes, but {dtypeName}[{string.Join(", ", shape)}] needs {byteLength}");
        return new Entry(name, dtype, shape, begin, end);
    }

    /// <summary>The tensors must tile the data exactly, as the reference implementation requires.</summary>
    private static void CheckPacking(List<Entry> entries, long dataLength, Func<string, string, ModelFormatException> error)
    {
        long covered = 0;
        Entry? previous = null;
        foreach (var entry in entries.OrderBy(entry => entry.Begin).ThenBy(entry => entry.End))
        {
            if (entry.Begin < covered)
                throw error($"{entry.Name}.data_offsets", $"[{entry.Begin}, {entry.End}] overlaps \"{previous!.Name}\" [{previous.Begin}, {previous.End}]");
            if (entry.Begin > covered)
                throw error($"{entry.Name}.data_offsets", $"[{entry.Begin}, {entry.End}] leaves bytes {covered}–{entry.Begin} unused");
            covered = entry.End;
            previous = entry;
        }
        if (covered != dataLength)
            throw error("data", $"the tensors cover {covered} bytes, but {dataLength} bytes follow the header");
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "a boolean",
    };

    private static void RequireLittleEndian()
    {
        // NOTE: the format is little-endian and tensors are copied as raw memory.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors I/O needs a little-endian machine");
    }
}
