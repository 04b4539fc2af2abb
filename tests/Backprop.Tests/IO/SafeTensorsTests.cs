using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Backprop.IO;

namespace Backprop.Tests.IO;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("backprop-safetensors-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string PathOf(string name) => Path.Combine(directory, name);

    /// <summary>A file as the spec lays it out: u64 header length, the header padded with spaces, the data.</summary>
    private static byte[] FileBytes(string header, int paddedLength, params byte[][] data)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header.PadRight(paddedLength));
        Assert.Equal(paddedLength, headerBytes.Length);
        var bytes = new List<byte>(new byte[8]);
        BinaryPrimitives.WriteUInt64LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes), (ulong)headerBytes.Length);
        bytes.AddRange(headerBytes);
        foreach (var block in data) bytes.AddRange(block);
        return [.. bytes];
    }

    private static byte[] LittleEndian(params float[] values) => [.. values.SelectMany(value => BitConverter.GetBytes(value))];

    private static byte[] LittleEndian(params double[] values) => [.. values.SelectMany(value => BitConverter.GetBytes(value))];

    [Fact]
    public async Task A_file_is_read_from_a_pipe_as_from_a_regular_file()
    {
        string file = PathOf("model.safetensors"), pipe = PathOf("pipe");
        SafeTensors.Write(file, new Dictionary<string, SafeTensor> { ["weight"] = SafeTensor.FromFloats([1.5f, -2f, 3f], [3]) },
            new Dictionary<string, string> { ["note"] = "piped" });
        Assert.Equal(0, TestFiles.MakeFifo(pipe));
        var writer = Task.Run(() => File.WriteAllBytes(pipe, File.ReadAllBytes(file)));

        var read = SafeTensors.Read(pipe);

        await writer;
        Assert.Equal([1.5f, -2f, 3f], read.Tensors["weight"].ToFloats());
        Assert.Equal("piped", read.Metadata["note"]);
    }

    [Fact]
    public void The_data_checksum_of_tensors_is_the_one_read_back_from_their_file_whatever_their_order()
    {
        var tensors = new Dictionary<string, SafeTensor>
        {
            ["weight"] = SafeTensor.FromFloats([1.5f, -2f, 3f], [3]),
            ["bias"] = SafeTensor.FromDoubles([Math.PI]),
            ["a"] = SafeTensor.FromFloats([7f]),
        };
        SafeTensors.Write(PathOf("model.safetensors"), tensors);

        var file = SafeTensors.Read(PathOf("model.safetensors"));

        Assert.Equal(SafeTensors.DataSha256(tensors), file.DataSha256);
        Assert.Equal(SafeTensors.DataSha256(tensors), SafeTensors.DataSha256(file.Tensors.Reverse().ToDictionary()));
        Assert.Matches("^[0-9a-f]{64}$", file.DataSha256);
    }

    [Fact]
    public async Task A_pipe_that_does_not_begin_with_a_header_length_is_refused_without_being_read_to_its_end()
    {
        string pipe = PathOf("zeros");
        const long Offered = 256L << 20; // as `head -c 256M /dev/zero`: a pipe that was copied whole into memory first
        var zeros = new TestFiles.ZerosPipe(pipe, Offered);

        var error = Assert.Throws<ModelFormatException>(() => SafeTensors.Read(pipe));

        await zeros.Writer;
        Assert.Equal("header", error.Field);
        Assert.True(zeros.Written < Offered, $"the reader took all {zeros.Written:N0} bytes");
    }

    [Fact]
    public void Float32_and_float64_tensors_and_metadata_round_trip()
    {
        var tensors = new Dictionary<string, SafeTensor>
        {
            ["weight"] = SafeTensor.FromFloats([1.5f, -2f, float.MaxValue, float.Epsilon, -0f, 3f], [2, 3]),
            ["bias"] = SafeTensor.FromDoubles([Math.PI, -1e-300]),
            ["scalar"] = SafeTensor.FromDoubles([42.0], []),
            ["empty"] = SafeTensor.FromFloats([], [0, 4]),
        };
        var metadata = new Dictionary<string, string> { ["note"] = "ünïcödé \"quoted\"\n", ["epochs"] = "12" };
        SafeTensors.Write(PathOf("model.safetensors"), tensors, metadata);

        var file = SafeTensors.Read(PathOf("model.safetensors"));

        Assert.Equal(metadata, file.Metadata);
        Assert.Equal(tensors.Keys.Order(), file.Tensors.Keys.Order());
        foreach (var (name, expected) in tensors)
        {
            var actual = file.Tensors[name];
            Assert.Equal(expected.DType, actual.DType);
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.Equal(expected.ToDoubles(), actual.ToDoubles());
        }
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(file.Tensors["weight"].ToFloats()[4]));
    }

    // The reference implementation's own test vectors (huggingface/safetensors, safetensors/src/tensor.rs:
    // test_serialization, test_serialization_forced_alignement, test_empty): what Python's
    // safetensors.save_file writes for the same tensors.
    public static TheoryData<string, byte[], Dictionary<string, SafeTensor>, Dictionary<string, string>?> ReferenceFiles => new()
    {
        {
            "attn.0, header exactly 64 bytes",
            FileBytes("""{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}""", 64, LittleEndian(0f, 1, 2, 3, 4, 5)),
            new() { ["attn.0"] = SafeTensor.FromFloats([0f, 1, 2, 3, 4, 5], [1, 2, 3]) },
            null
        },
        {
            "attn0, header padded with 7 spaces",
            FileBytes("""{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}""", 72, LittleEndian(0f, 1, 2, 3, 4, 5)),
            new() { ["attn0"] = SafeTensor.FromFloats([0f, 1, 2, 3, 4, 5], [1, 1, 2, 3]) },
            null
        },
        {
            "no tensors",
            FileBytes("{}", 8),
            new(),
            null
        },
        {
            "no tensors, framework metadata",
            FileBytes("""{"__metadata__":{"framework":"pt"}}""", 40),
            new(),
            new() { ["framework"] = "pt" }
        },
        {
            // as save_file orders them: F64 before F32, then by name
            "mixed dtypes with metadata",
            FileBytes("""{"__metadata__":{"format":"pt"},"b":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"a":{"dtype":"F32","shape":[2,1],"data_offsets":[16,24]},"c":{"dtype":"F32","shape":[],"data_offsets":[24,28]}}""",
                200, LittleEndian(0.1, -2.5), LittleEndian(1f, 2f), LittleEndian(-7f)),
            new() { ["a"] = SafeTensor.FromFloats([1f, 2f], [2, 1]), ["b"] = SafeTensor.FromDoubles([0.1, -2.5]), ["c"] = SafeTensor.FromFloats([-7f], []) },
            new() { ["format"] = "pt" }
        },
    };

    [Theory, MemberData(nameof(ReferenceFiles))]
    public void Files_of_the_reference_implementation_read_back_and_are_written_byte_for_byte(
        string description, byte[] reference, Dictionary<string, SafeTensor> tensors, Dictionary<string, string>? metadata)
    {
        File.WriteAllBytes(PathOf("reference.safetensors"), reference);
        var file = SafeTensors.Read(PathOf("reference.safetensors"));
        Assert.Equal(metadata ?? [], file.Metadata);
        Assert.Equal(tensors.Keys.Order(), file.Tensors.Keys.Order());
        foreach (var (name, expected) in tensors)
        {
            Assert.Equal(expected.DType, file.Tensors[name].DType);
            Assert.Equal(expected.Shape, file.Tensors[name].Shape);
            Assert.Equal(expected.ToDoubles(), file.Tensors[name].ToDoubles());
        }

        SafeTensors.Write(PathOf("ours.safetensors"), tensors, metadata);
        Assert.True(reference.SequenceEqual(File.ReadAllBytes(PathOf("ours.safetensors"))), description);
    }

    [Fact]
    public void A_file_we_write_follows_the_spec_as_an_independent_reader_sees_it()
    {
        var weight = new float[] { 1, 2, 3, 4, 5, 6 };
        var mean = new double[] { 0.25, -0.5, 1e10 };
        SafeTensors.Write(PathOf("spec.safetensors"),
            new Dictionary<string, SafeTensor> { ["layers.0.weight"] = SafeTensor.FromFloats(weight, [3, 2]), ["normalizer.mean"] = SafeTensor.FromDoubles(mean) },
            new Dictionary<string, string> { ["task"] = "regression" });

        // a reader written from the spec alone
        var bytes = File.ReadAllBytes(PathOf("spec.safetensors"));
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + headerLength) % 8); // the data starts 8-byte aligned
        var headerText = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.EndsWith("}", headerText.TrimEnd(' ')); // padded with spaces only
        using var header = JsonDocument.Parse(headerText);
        byte[] data = bytes[(8 + (int)headerLength)..];

        Assert.Equal("regression", header.RootElement.GetProperty("__metadata__").GetProperty("task").GetString());
        var weightEntry = header.RootElement.GetProperty("layers.0.weight");
        Assert.Equal("F32", weightEntry.GetProperty("dtype").GetString());
        Assert.Equal([3, 2], weightEntry.GetProperty("shape").EnumerateArray().Select(dimension => dimension.GetInt32()));
        int begin = weightEntry.GetProperty("data_offsets")[0].GetInt32(), end = weightEntry.GetProperty("data_offsets")[1].GetInt32();
        Assert.Equal(weight, Enumerable.Range(0, (end - begin) / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(begin + 4 * i))));

        var meanEntry = header.RootElement.GetProperty("normalizer.mean");
        Assert.Equal("F64", meanEntry.GetProperty("dtype").GetString());
        begin = meanEntry.GetProperty("data_offsets")[0].GetInt32();
        end = meanEntry.GetProperty("data_offsets")[1].GetInt32();
        Assert.Equal(mean, Enumerable.Range(0, (end - begin) / 8).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(begin + 8 * i))));
        Assert.Equal(4 * 6 + 8 * 3, data.Length); // packed: nothing else in the data
    }

    private const string GoodHeader = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";

    public static TheoryData<string, byte[], string> CorruptFiles => new()
    {
        { "shorter than the length", [1, 0, 0], "header length" },
        { "header length beyond the file", FileBytes(GoodHeader, 56, LittleEndian(1f, 2f))[..40], "header length" },
        { "absurd header length", [255, 255, 255, 255, 255, 255, 255, 255, (byte)'{', (byte)'}'], "header length" },
        { "truncated data", FileBytes(GoodHeader, 56, LittleEndian(1f, 2f))[..^1], "a.data_offsets" },
        { "trailing bytes", FileBytes(GoodHeader, 56, LittleEndian(1f, 2f), [0, 0, 0, 0]), "data" },
        { "bad JSON", FileBytes("""{"a":{"dtype":"F32",""", 24), "header" },
        { "invalid UTF-8", InvalidUtf8(), "header" },
        { "JSON that is not an object", FileBytes("[1, 2]", 8), "header" },
        { "unknown dtype", FileBytes("""{"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}""", 56, LittleEndian(1f, 2f)), "a.dtype" },
        { "unsupported dtype", FileBytes("""{"a":{"dtype":"BF16","shape":[4],"data_offsets":[0,8]}}""", 56, LittleEndian(1f, 2f)), "a.dtype" },
        { "shape that does not match the bytes", FileBytes("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 56, LittleEndian(1f, 2f)), "a.data_offsets" },
        { "negative dimension", FileBytes("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 56, LittleEndian(1f, 2f)), "a.shape" },
        { "overflowing shape", FileBytes("""{"a":{"dtype":"F64","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}""", 96, LittleEndian(1f, 2f)), "a.shape" },
        { "offsets out of range", FileBytes("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 56, LittleEndian(1f, 2f)), "a.data_offsets" },
        { "reversed offsets", FileBytes("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 56, LittleEndian(1f, 2f)), "a.data_offsets" },
        {
            "overlapping offsets",
            FileBytes("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 112, LittleEndian(1f, 2f, 3f)),
            "b.data_offsets"
        },
        {
            "a gap between tensors",
            FileBytes("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 112, LittleEndian(1f, 2f, 3f)),
            "b.data_offsets"
        },
        { "missing data_offsets", FileBytes("""{"a":{"dtype":"F32","shape":[2]}}""", 40, LittleEndian(1f, 2f)), "a.data_offsets" },
        { "a duplicated name", FileBytes("""{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}""", 112), "a" },
        { "metadata that is not a string", FileBytes("""{"__metadata__":{"epochs":12}}""", 32), "__metadata__.epochs" },
    };

    /// <summary>Valid JSON but for one byte that is not UTF-8, inside a metadata string.</summary>
    private static byte[] InvalidUtf8()
    {
        var bytes = FileBytes("""{"__metadata__":{"k":"v?"}}""", 32);
        bytes[Array.IndexOf(bytes, (byte)'?')] = 0xFF;
        return bytes;
    }

    [Theory, MemberData(nameof(CorruptFiles))]
    public void A_corrupt_file_is_reported_with_the_file_and_the_field_at_fault(string description, byte[] bytes, string field)
    {
        var path = PathOf("corrupt.safetensors");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<ModelFormatException>(() => SafeTensors.Read(path));
        Assert.True(error.Field == field, $"{description}: expected field {field}, got {error.Field} ({error.Message})");
        Assert.Equal(path, error.File);
        Assert.StartsWith(path, error.Message);
    }

    [Theory]
    [InlineData("{\n  \"input\": [7, 2, 25]\n}\n", "{\\n  \\\"inp")]
    [InlineData("a,b,label\n1,2,0\n", "a,b,labe")]
    public void A_text_file_given_as_a_model_is_told_apart_from_a_corrupt_one(string text, string shown)
    {
        var path = PathOf("model.json");
        File.WriteAllText(path, text);

        var error = Assert.Throws<ModelFormatException>(() => SafeTensors.Read(path));

        Assert.Equal($"{path}: header length: this is not a model file: it begins with text (\"{shown}\"), while a model " +
            "(safetensors, as backprop train --out writes it) begins with its header's length in binary", error.Message);
    }

    [Fact]
    public void Rewriting_a_file_replaces_it_whole_and_leaves_no_temporary_files()
    {
        var path = PathOf("model.safetensors");
        SafeTensors.Write(path, new Dictionary<string, SafeTensor> { ["a"] = SafeTensor.FromFloats([1, 2, 3]) });
        SafeTensors.Write(path, new Dictionary<string, SafeTensor> { ["b"] = SafeTensor.FromDoubles([4]) });
        Assert.Equal(["b"], SafeTensors.Read(path).Tensors.Keys);
        Assert.Equal(["model.safetensors"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }

    [Fact]
    public void A_write_that_fails_midway_leaves_the_existing_file_untouched()
    {
        var path = PathOf("model.safetensors");
        SafeTensors.Write(path, new Dictionary<string, SafeTensor> { ["a"] = SafeTensor.FromFloats([1, 2, 3]) });
        var before = File.ReadAllBytes(path);

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100]);
            throw new IOException("disk full");
        }));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }

    [Fact]
    public void A_write_into_a_read_only_directory_fails_and_leaves_the_existing_file_untouched()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = PathOf("model.safetensors");
        SafeTensors.Write(path, new Dictionary<string, SafeTensor> { ["a"] = SafeTensor.FromFloats([1, 2, 3]) });
        var before = File.ReadAllBytes(path);
        var mode = File.GetUnixFileMode(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            // NOTE: root ignores directory permissions; the fault-injection test above covers that case.
            if (CanCreateFileIn(directory)) return;
            Assert.ThrowsAny<Exception>(() => SafeTensors.Write(path, new Dictionary<string, SafeTensor> { ["b"] = SafeTensor.FromFloats([9]) }));
            Assert.Equal(before, File.ReadAllBytes(path));
        }
        finally
        {
            File.SetUnixFileMode(directory, mode);
        }
        Assert.Equal(["model.safetensors"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }

    private static bool CanCreateFileIn(string directory)
    {
        var probe = Path.Combine(directory, ".probe");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    [Fact]
    public void Names_the_format_reserves_are_refused_before_anything_is_written()
    {
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(PathOf("x.safetensors"), new Dictionary<string, SafeTensor> { ["__metadata__"] = SafeTensor.FromFloats([1]) }));
        Assert.Empty(Directory.GetFiles(directory));
    }

    [Fact]
    public void Values_that_do_not_fill_the_shape_are_refused() =>
        Assert.Throws<ArgumentException>(() => SafeTensor.FromFloats([1, 2, 3], [2, 2]));
}
