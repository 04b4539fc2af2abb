using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using Backprop.IO;

namespace Backprop.Tests.IO;

public sealed class ModelFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("backprop-modelfile-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string PathOf(string name) => Path.Combine(directory, name);

    private static SavedModel Classifier() => new()
    {
        Architecture = [LayerSpec.Dense(3, 4, "relu"), LayerSpec.Dropout(0.25), LayerSpec.Dense(4, 2)],
        Task = ModelTask.Classification,
        ClassNames = ["setosa", "versicolor"],
        InputShape = [3],
        FeatureNames = ["sepal length", "sepal width", "petal length"],
        NormalizerMean = [5.8f, 3.0f, 3.7f],
        NormalizerStd = [0.8f, 0.4f, 1.7f],
        Parameters = new Dictionary<string, SafeTensor>
        {
            ["layers.0.weight"] = SafeTensor.FromFloats([.. Enumerable.Range(0, 12).Select(i => i * 0.1f)], [4, 3]),
            ["layers.0.bias"] = SafeTensor.FromFloats([0.1f, -0.2f, 0.3f, -0.4f]),
            ["layers.2.weight"] = SafeTensor.FromFloats([.. Enumerable.Range(0, 8).Select(i => -i * 0.5f)], [2, 4]),
            ["layers.2.bias"] = SafeTensor.FromFloats([1f, -1f]),
        },
        Metadata = new Dictionary<string, string> { ["epochs"] = "20", ["seed"] = "42", ["date"] = "2026-01-02T03:04:05Z", ["backprop_version"] = "0.1.0" },
    };

    private static void AssertSameModel(SavedModel expected, SavedModel actual)
    {
        Assert.Equal(expected.Architecture, actual.Architecture);
        Assert.Equal(expected.Task, actual.Task);
        Assert.Equal(expected.ClassNames, actual.ClassNames);
        Assert.Equal(expected.InputShape, actual.InputShape);
        Assert.Equal(expected.FeatureNames, actual.FeatureNames);
        Assert.Equal(expected.NormalizerMean, actual.NormalizerMean);
        Assert.Equal(expected.NormalizerStd, actual.NormalizerStd);
        Assert.Equal(expected.Metadata.OrderBy(pair => pair.Key), actual.Metadata.OrderBy(pair => pair.Key));
        Assert.Equal(expected.Parameters.Keys.Order(), actual.Parameters.Keys.Order());
        foreach (var (name, tensor) in expected.Parameters)
        {
            Assert.Equal(tensor.DType, actual.Parameters[name].DType);
            Assert.Equal(tensor.Shape, actual.Parameters[name].Shape);
            Assert.Equal(tensor.ToDoubles(), actual.Parameters[name].ToDoubles());
        }
    }

    [Fact]
    public void A_float32_classifier_round_trips()
    {
        var model = Classifier();
        ModelFile.Save(PathOf("iris.safetensors"), model);
        AssertSameModel(model, ModelFile.Load(PathOf("iris.safetensors")));
    }

    [Fact]
    public void A_float64_regressor_without_normalisation_round_trips()
    {
        var random = new Random(3);
        var weight = Tensor.Uniform(random, -1.0, 1.0, 1, 1, 3, 3);
        var model = new SavedModel
        {
            Architecture = [LayerSpec.Conv2d(1, 1, 3, padding: 1), LayerSpec.BatchNorm(1), LayerSpec.ActivationLayer("gelu"),
                LayerSpec.MaxPool2d(2), LayerSpec.Flatten(), LayerSpec.Dense(4, 1)],
            Task = ModelTask.Regression,
            InputShape = [1, 4, 4],
            Parameters = new Dictionary<string, SafeTensor>
            {
                ["layers.0.weight"] = SafeTensor.FromTensor(weight),
                ["layers.5.weight"] = SafeTensor.FromDoubles([Math.PI, Math.E, -1e-300, double.MaxValue], [1, 4]),
            },
        };
        ModelFile.Save(PathOf("regressor.safetensors"), model);
        var loaded = ModelFile.Load(PathOf("regressor.safetensors"));
        AssertSameModel(model, loaded);
        Assert.Null(loaded.ClassNames);
        Assert.Equal(weight.ToArray(), loaded.Parameters["layers.0.weight"].ToTensor<double>().ToArray());
    }

    [Fact]
    public void The_file_is_plain_safetensors_with_string_metadata_and_named_tensors()
    {
        ModelFile.Save(PathOf("iris.safetensors"), Classifier());
        var file = SafeTensors.Read(PathOf("iris.safetensors"));

        Assert.Equal("backprop.model", file.Metadata["format"]);
        Assert.Equal("1", file.Metadata["format_version"]);
        Assert.Equal("classification", file.Metadata["task"]);
        Assert.Equal("""[{"type":"dense","in_features":3,"units":4,"activation":"relu"},{"type":"dropout","p":0.25},{"type":"dense","in_features":4,"units":2}]""",
            file.Metadata["architecture"]);
        Assert.Equal("""["setosa","versicolor"]""", file.Metadata["class_names"]);
        Assert.Equal("[3]", file.Metadata["input_shape"]);
        Assert.Equal("20", file.Metadata["epochs"]);
        Assert.Equal(["layers.0.bias", "layers.0.weight", "layers.2.bias", "layers.2.weight", "normalizer.mean", "normalizer.std"], file.Tensors.Keys.Order());
        Assert.Equal([5.8f, 3.0f, 3.7f], file.Tensors["normalizer.mean"].ToFloats());
    }

    [Fact]
    public void A_safetensors_file_that_is_not_a_model_is_reported()
    {
        SafeTensors.Write(PathOf("plain.safetensors"), new Dictionary<string, SafeTensor> { ["w"] = SafeTensor.FromFloats([1]) });
        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(PathOf("plain.safetensors")));
        Assert.Equal("__metadata__.format", error.Field);
    }

    public static TheoryData<string, string, string> BadMetadata => new()
    {
        { "architecture", "[{\"units\": 3}]", "__metadata__.architecture" },
        { "architecture", "not json", "__metadata__.architecture" },
        { "input_shape", "[3, \"x\"]", "__metadata__.input_shape" },
        { "task", "clustering", "__metadata__.task" },
        { "format_version", "2", "__metadata__.format_version" },
        { "class_names", """["setosa", "setosa"]""", "__metadata__.class_names" },
        { "feature_names", """["sepal length", "sepal width", "sepal length"]""", "__metadata__.feature_names" },
        { "feature_names", """["sepal length", "sepal width", " sepal width"]""", "__metadata__.feature_names" },
        // a misspelt key was ignored: the layer ran with its default (a conv's stride 1)
        { "architecture", """[{"type":"dense","in_features":3,"units":4,"activation":"relu"},{"type":"dropout","p":0.25,"q":1},{"type":"dense","in_features":4,"units":2}]""", "__metadata__.architecture[1].q" },
        { "architecture", """[{"type":"dense","in_features":3,"units":4,"unit":4},{"type":"dense","in_features":4,"units":2}]""", "__metadata__.architecture[0].unit" },
        { "architecture", """[{"type":"dense","in_features":3,"units":4,"units":5},{"type":"dense","in_features":4,"units":2}]""", "__metadata__.architecture[0].units" },
    };

    [Theory, MemberData(nameof(BadMetadata))]
    public void Bad_model_metadata_is_reported_by_field(string key, string value, string field)
    {
        ModelFile.Save(PathOf("iris.safetensors"), Classifier());
        var file = SafeTensors.Read(PathOf("iris.safetensors"));
        var metadata = Checksums.Stripped(file.Metadata); // as another tool writes it
        metadata[key] = value;
        SafeTensors.Write(PathOf("bad.safetensors"), file.Tensors, metadata);

        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(PathOf("bad.safetensors")));
        Assert.Equal(field, error.Field);
    }

    public static TheoryData<string, float[], string> BadNormalizers => new()
    {
        { "normalizer.std", [0.8f, 0f, 1.7f], "normalizer.std[1]" },
        { "normalizer.std", [0.8f, 0.4f, -1.7f], "normalizer.std[2]" },
        { "normalizer.std", [float.NaN, 0.4f, 1.7f], "normalizer.std[0]" },
        { "normalizer.std", [0.8f, float.PositiveInfinity, 1.7f], "normalizer.std[1]" },
        { "normalizer.mean", [5.8f, 3.0f, float.NaN], "normalizer.mean[2]" },
        { "normalizer.mean", [float.NegativeInfinity, 3.0f, 3.7f], "normalizer.mean[0]" },
    };

    [Theory, MemberData(nameof(BadNormalizers))]
    public void A_normalizer_that_cannot_scale_inputs_to_finite_numbers_is_reported_by_index(string tensor, float[] values, string field)
    {
        ModelFile.Save(PathOf("iris.safetensors"), Classifier());
        var file = SafeTensors.Read(PathOf("iris.safetensors"));
        var tensors = file.Tensors.ToDictionary();
        tensors[tensor] = SafeTensor.FromFloats(values);
        var metadata = Checksums.Stripped(file.Metadata); // as another tool writes it
        SafeTensors.Write(PathOf("bad.safetensors"), tensors, metadata);

        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(PathOf("bad.safetensors")));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void A_saved_model_records_the_SHA_256_of_every_byte_after_its_header()
    {
        ModelFile.Save(PathOf("iris.safetensors"), Classifier());
        byte[] bytes = File.ReadAllBytes(PathOf("iris.safetensors"));
        int dataStart = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);

        string recorded = SafeTensors.Read(PathOf("iris.safetensors")).Metadata[ModelFile.DataSha256Key];

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(dataStart))), recorded);
    }

    [Theory]
    [InlineData(0)]   // the first byte of the tensor data
    [InlineData(21)]  // inside a weight: 2e-6 off, a plausible number that loaded without a word
    [InlineData(-1)]  // the last byte of the file
    public void A_changed_bit_in_the_tensor_data_is_refused_as_damaged_naming_the_file(int offset)
    {
        string path = PathOf("iris.safetensors");
        ModelFile.Save(path, Classifier());
        byte[] bytes = File.ReadAllBytes(path);
        int dataStart = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        bytes[offset < 0 ? bytes.Length + offset : dataStart + offset] ^= 1;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));

        Assert.Equal("data", error.Field);
        Assert.StartsWith($"{path}: data: the tensor data is damaged: its SHA-256 is ", error.Message);
        Assert.Contains($"but __metadata__.{ModelFile.DataSha256Key} records ", error.Message);
    }

    [Fact]
    public void A_saved_model_records_the_SHA_256_of_each_tensor_in_name_order_with_its_name_dtype_and_shape()
    {
        string path = PathOf("iris.safetensors");
        ModelFile.Save(path, Classifier());
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(8, headerLength));

        // As the README tells another tool to compute it, from the header as written.
        using var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var entry in header.RootElement.EnumerateObject().Where(entry => entry.Name != "__metadata__").OrderBy(entry => entry.Name, StringComparer.Ordinal))
        {
            string shape = string.Join(',', entry.Value.GetProperty("shape").EnumerateArray().Select(size => size.GetInt32()));
            expected.AppendData(System.Text.Encoding.UTF8.GetBytes($"{entry.Name}\0{entry.Value.GetProperty("dtype").GetString()}\0{shape}\0"));
            var offsets = entry.Value.GetProperty("data_offsets");
            int begin = offsets[0].GetInt32(), end = offsets[1].GetInt32();
            expected.AppendData(bytes.AsSpan(8 + headerLength + begin, end - begin));
        }

        Assert.Equal(Convert.ToHexStringLower(expected.GetHashAndReset()), SafeTensors.Read(path).Metadata[ModelFile.TensorsSha256Key]);
    }

    [Fact]
    public void Two_same_shaped_tensors_swapped_in_the_header_are_refused_although_every_data_byte_is_as_recorded()
    {
        string path = PathOf("iris.safetensors");
        ModelFile.Save(path, Classifier());
        byte[] bytes = File.ReadAllBytes(path);
        string text = System.Text.Encoding.Latin1.GetString(bytes);
        // The normaliser's means and deviations, both [3]: swapped, the model loaded and standardised every input wrongly.
        const string Mean = "\"normalizer.mean\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[104,116]}";
        const string Std = "\"normalizer.std\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[116,128]}";
        Assert.Contains(Mean, text);
        Assert.Contains(Std, text);
        text = text.Replace(Mean, Mean.Replace("[104,116]", "[116,128]")).Replace(Std, Std.Replace("[116,128]", "[104,116]"));
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(text));

        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));

        Assert.Equal("tensors", error.Field);
        Assert.StartsWith($"{path}: tensors: the tensor table is damaged", error.Message);
        Assert.Contains($"but __metadata__.{ModelFile.TensorsSha256Key} records ", error.Message);
    }

    [Fact]
    public void A_file_without_the_checksum_as_older_versions_and_other_tools_write_it_still_loads()
    {
        ModelFile.Save(PathOf("iris.safetensors"), Classifier());
        var file = SafeTensors.Read(PathOf("iris.safetensors"));
        SafeTensors.Write(PathOf("older.safetensors"), file.Tensors, Checksums.Stripped(file.Metadata));

        AssertSameModel(Classifier(), ModelFile.Load(PathOf("older.safetensors")));
    }

    [Fact]
    public void A_saved_model_records_the_SHA_256_of_its_other_metadata_entries_in_key_order()
    {
        ModelFile.Save(PathOf("iris.safetensors"), Classifier());
        var metadata = SafeTensors.Read(PathOf("iris.safetensors")).Metadata;

        string entries = string.Concat(metadata.Where(pair => pair.Key != ModelFile.MetadataSha256Key)
            .OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}\0{pair.Value}\0"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(entries))), metadata[ModelFile.MetadataSha256Key]);
    }

    [Theory]
    [InlineData("setosa", "setosb")]             // a class name: predict would print the wrong label
    [InlineData("\"seed\":\"42\"", "\"seed\":\"43\"")] // even an entry no prediction reads
    public void A_changed_character_in_the_metadata_is_refused_as_damaged(string before, string after)
    {
        string path = PathOf("iris.safetensors");
        ModelFile.Save(path, Classifier());
        byte[] bytes = File.ReadAllBytes(path);
        string text = System.Text.Encoding.Latin1.GetString(bytes);
        Assert.Contains(before, text);
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(text.Replace(before, after)));

        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));

        Assert.Equal("__metadata__", error.Field);
        Assert.StartsWith($"{path}: __metadata__: the metadata is damaged: its SHA-256 is ", error.Message);
    }

    [Theory]
    [InlineData(ModelFile.DataSha256Key)]
    [InlineData(ModelFile.TensorsSha256Key)]
    [InlineData(ModelFile.MetadataSha256Key)]
    public void The_checksum_keys_are_reserved_for_the_format(string key)
    {
        var model = Classifier() with { Metadata = new Dictionary<string, string> { [key] = "0" } };

        Assert.Throws<ArgumentException>(() => ModelFile.Save(PathOf("iris.safetensors"), model));
    }

    [Fact]
    public void An_inconsistent_model_is_refused_and_the_existing_file_is_untouched()
    {
        var path = PathOf("iris.safetensors");
        ModelFile.Save(path, Classifier());
        var before = File.ReadAllBytes(path);

        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, Classifier() with { ClassNames = null }));
        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, Classifier() with { NormalizerStd = null }));
        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, Classifier() with { FeatureNames = ["only one"] }));
        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, Classifier() with { NormalizerStd = [0.8f, 0f, 1.7f] }));
        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, Classifier() with { ClassNames = ["setosa", "setosa"] }));
        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, Classifier() with { Metadata = new Dictionary<string, string> { ["task"] = "x" } }));
        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, Classifier() with
        {
            Parameters = new Dictionary<string, SafeTensor> { ["normalizer.mean"] = SafeTensor.FromFloats([1]) },
        }));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["iris.safetensors"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Layer_specs_ignore_fields_they_do_not_know()
    {
        var layers = JsonSerializer.Deserialize("""[{"type":"dense","units":5,"future_option":true}]""", ModelFileJson.Default.LayerSpecArray)!;
        Assert.Equal(LayerSpec.Dense(0, 5) with { InFeatures = null }, layers[0]);
    }
}
