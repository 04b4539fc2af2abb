using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backprop.IO;

/// <summary>
/// A <see cref="SavedModel"/> as one safetensors file, readable by Python's <c>safetensors</c>:
/// weights under their own names, <c>normalizer.mean</c> / <c>normalizer.std</c> as F32 tensors, and in
/// <c>__metadata__</c> (strings only): <c>format</c> = "backprop.model", <c>format_version</c> = "1",
/// <c>task</c>, and JSON-encoded <c>architecture</c>, <c>input_shape</c>, <c>feature_names</c>,
/// <c>class_names</c>, <c>data_sha256</c>, the SHA-256 of the tensor data (every byte after the header),
/// <c>tensors_sha256</c>, that of each tensor's name, dtype and shape with its bytes, and
/// <c>metadata_sha256</c>, that of the metadata (see <see cref="ModelChecksums"/>); the model's own <see cref="SavedModel.Metadata"/> entries sit beside them.
/// </summary>
public static class ModelFile
{
    /// <summary>The "format" metadata value that marks a safetensors file as a Backprop model.</summary>
    public const string FormatName = "backprop.model";
    /// <summary>The model file version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The tensor holding the input standardizer's means.</summary>
    public const string MeanTensor = "normalizer.mean";
    /// <summary>The tensor holding the input standardizer's deviations.</summary>
    public const string StdTensor = "normalizer.std";

    /// <summary>The metadata key of the tensor data's SHA-256 (lowercase hex of every byte after the header).</summary>
    public const string DataSha256Key = "data_sha256";
    /// <summary>The metadata key of the tensor table's SHA-256 (see <see cref="ModelChecksums.TensorsSha256"/>).</summary>
    public const string TensorsSha256Key = "tensors_sha256";
    /// <summary>The metadata key of the metadata's own SHA-256 (see <see cref="ModelChecksums.MetadataSha256"/>).</summary>
    public const string MetadataSha256Key = "metadata_sha256";

    private const string FormatKey = "format", VersionKey = "format_version", TaskKey = "task", ArchitectureKey = "architecture",
        InputShapeKey = "input_shape", FeatureNamesKey = "feature_names", ClassNamesKey = "class_names";

    /// <summary>The metadata keys the format itself uses; a model's own metadata may not use them.</summary>
    public static readonly IReadOnlySet<string> ReservedMetadataKeys =
        new HashSet<string> { FormatKey, VersionKey, TaskKey, ArchitectureKey, InputShapeKey, FeatureNamesKey, ClassNamesKey, DataSha256Key, TensorsSha256Key, MetadataSha256Key };

    /// <summary>Checks the model, then writes it atomically: on failure an existing file is left untouched.</summary>
    /// <exception cref="ArgumentException">when the model is inconsistent (nothing is written).</exception>
    public static void Save(string path, SavedModel model)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(model);
        if (Check(model) is { } problem) throw new ArgumentException($"cannot save the model: {problem.Field}: {problem.Problem}", nameof(model));
        if (model.Parameters.Keys.FirstOrDefault(name => name is MeanTensor or StdTensor) is { } clash)
            throw new ArgumentException($"cannot save the model: the parameter name \"{clash}\" is reserved for the normalizer", nameof(model));
        if (model.Metadata.Keys.FirstOrDefault(ReservedMetadataKeys.Contains) is { } reserved)
            throw new ArgumentException($"cannot save the model: the metadata key \"{reserved}\" is reserved", nameof(model));

        var tensors = new Dictionary<string, SafeTensor>(model.Parameters, StringComparer.Ordinal);
        if (model.NormalizerMean is { } mean) tensors[MeanTensor] = SafeTensor.FromFloats(mean);
        if (model.NormalizerStd is { } std) tensors[StdTensor] = SafeTensor.FromFloats(std);

        var json = ModelFileJson.Default;
        var metadata = new Dictionary<string, string>(model.Metadata, StringComparer.Ordinal)
        {
            [FormatKey] = FormatName,
            [VersionKey] = FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [TaskKey] = model.Task,
            [ArchitectureKey] = JsonSerializer.Serialize(model.Architecture.ToArray(), json.LayerSpecArray),
            [InputShapeKey] = JsonSerializer.Serialize(model.InputShape, json.Int32Array),
            [FeatureNamesKey] = JsonSerializer.Serialize(model.FeatureNames, json.StringArray),
            [DataSha256Key] = SafeTensors.DataSha256(tensors),
            [TensorsSha256Key] = ModelChecksums.TensorsSha256(tensors),
        };
        if (model.ClassNames is { } classNames) metadata[ClassNamesKey] = JsonSerializer.Serialize(classNames, json.StringArray);
        metadata[MetadataSha256Key] = ModelChecksums.MetadataSha256(metadata);

        SafeTensors.Write(path, tensors, metadata);
    }

    /// <summary>Reads and checks a model file.</summary>
    /// <exception cref="ModelFormatException">naming the file and the field at fault.</exception>
    public static SavedModel Load(string path)
    {
        var file = SafeTensors.Read(path);
        var metadata = file.Metadata;
        ModelFormatException Error(string field, string problem) => new(path, field, problem);

        string Required(string key) => metadata.TryGetValue(key, out var value) ? value : throw Error($"__metadata__.{key}", "is missing");
        T Parse<T>(string key, string text, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        {
            try
            {
                return JsonSerializer.Deserialize(text, type) ?? throw Error($"__metadata__.{key}", "is null");
            }
            catch (JsonException exception)
            {
                throw Error($"__metadata__.{key}", $"is not valid JSON of the expected form ({exception.Message})");
            }
        }

        if (!metadata.TryGetValue(FormatKey, out var format) || format != FormatName)
            throw Error($"__metadata__.{FormatKey}", $"is {(format is null ? "missing" : $"\"{format}\"")}: this is a safetensors file but not a Backprop model (expected \"{FormatName}\")");
        string version = Required(VersionKey);
        if (version != FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw Error($"__metadata__.{VersionKey}", $"version \"{version}\" is not supported (this Backprop reads version {FormatVersion})");
        // NOTE: the layout checks catch a file cut short, but not a changed byte inside the weights or a changed digit of
        // target_scale, which loaded and predicted wrongly without a word.
        ModelChecksums.Verify(file, path);

        var json = ModelFileJson.Default;
        var parameters = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in file.Tensors)
            if (name is not (MeanTensor or StdTensor)) parameters[name] = tensor;

        string architecture = Required(ArchitectureKey);
        var model = new SavedModel
        {
            Task = Required(TaskKey),
            Architecture = Parse(ArchitectureKey, architecture, json.LayerSpecArray),
            InputShape = Parse(InputShapeKey, Required(InputShapeKey), json.Int32Array),
            FeatureNames = metadata.TryGetValue(FeatureNamesKey, out var featureNames) ? Parse(FeatureNamesKey, featureNames, json.StringArray) : [],
            ClassNames = metadata.TryGetValue(ClassNamesKey, out var classNames) ? Parse(ClassNamesKey, classNames, json.StringArray) : null,
            NormalizerMean = file.Tensors.TryGetValue(MeanTensor, out var mean) ? mean.ToFloats() : null,
            NormalizerStd = file.Tensors.TryGetValue(StdTensor, out var std) ? std.ToFloats() : null,
            Parameters = parameters,
            Metadata = metadata.Where(pair => !ReservedMetadataKeys.Contains(pair.Key)).ToDictionary(StringComparer.Ordinal),
        };
        if ((Check(model) ?? CheckLayerKeys(architecture)) is { } problem) throw Error(problem.Field, problem.Problem);
        return model;
    }

    /// <summary>A key given twice in one layer, or one no layer has, named by its place in the architecture; or null.</summary>
    /// <remarks>NOTE: such keys were ignored, so a hand-edited `"strdie": 2` ran the convolution at stride 1, and a
    /// file from a later version with an option this one lacks would be read without it: wrong numbers either way.</remarks>
    private static readonly string[] LayerKeys = ModelFileJson.Default.LayerSpec.Properties.Select(property => property.Name).ToArray();

    private static (string Field, string Problem)? CheckLayerKeys(string architecture)
    {
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(architecture);
        if (JsonDuplicateKeys.Find(utf8) is var (path, _, _))
            return ($"__metadata__.{ArchitectureKey}{path}", "is given twice; give it once");
        using var document = JsonDocument.Parse(utf8);
        int index = 0;
        foreach (var layer in document.RootElement.EnumerateArray())
        {
            foreach (var key in layer.EnumerateObject())
                if (!LayerKeys.Contains(key.Name))
                    return ($"__metadata__.{ArchitectureKey}[{index}].{Data.Excerpt.Of(key.Name)}", $"unknown key; a layer takes {string.Join(", ", LayerKeys)} (a misspelling, or a file from a later version)");
            index++;
        }
        return null;
    }

    /// <summary>The first inconsistency in a model, named by its field in the file, or null.</summary>
    private static (string Field, string Problem)? Check(SavedModel model)
    {
        if (model.Task is not (ModelTask.Classification or ModelTask.Regression))
            return ($"__metadata__.{TaskKey}", $"\"{model.Task}\" is neither \"{ModelTask.Classification}\" nor \"{ModelTask.Regression}\"");
        if (model.Task == ModelTask.Classification && model.ClassNames is not { Length: > 0 })
            return ($"__metadata__.{ClassNamesKey}", "a classification model needs its class names");
        // NOTE: labels are looked up by name (eval, predict's p_<label> columns), so two outputs may not share one.
        if (model.ClassNames?.GroupBy(name => name, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1) is { } repeated)
            return ($"__metadata__.{ClassNamesKey}", $"names the class \"{repeated.Key}\" {repeated.Count()} times");
        if (model.Architecture.Count == 0 || model.Architecture.Any(layer => string.IsNullOrEmpty(layer?.Type)))
            return ($"__metadata__.{ArchitectureKey}", "needs at least one layer, each with a type");
        if (model.InputShape.Length == 0 || model.InputShape.Any(size => size <= 0))
            return ($"__metadata__.{InputShapeKey}", $"[{string.Join(", ", model.InputShape)}] is not a shape of positive sizes");
        long inputSize = model.InputShape.Aggregate(1L, (product, size) => product * size);
        if (model.FeatureNames.Length != 0 && model.FeatureNames.Length != inputSize)
            return ($"__metadata__.{FeatureNamesKey}", $"{model.FeatureNames.Length} names for an input of {inputSize} values");
        // NOTE: eval and predict find each feature's column by its trimmed name: two features of one name would both
        // read the first such column, and the predictions would be wrong without a word.
        if (model.FeatureNames.GroupBy(name => name.Trim(), StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1) is { } repeatedFeature)
            return ($"__metadata__.{FeatureNamesKey}", $"names the feature \"{repeatedFeature.Key}\" {repeatedFeature.Count()} times");
        if ((model.NormalizerMean is null) != (model.NormalizerStd is null))
            return (model.NormalizerMean is null ? MeanTensor : StdTensor, "is missing: the normalizer needs both mean and std");
        if (model.NormalizerMean is { } mean && mean.Length != model.NormalizerStd!.Length)
            return (StdTensor, $"has {model.NormalizerStd.Length} values, the mean has {mean.Length}");
        // NOTE: inputs are divided by std: a zero or non-finite one (a damaged file; training writes 1 for a constant
        // feature) would turn every prediction into NaN or infinity.
        if (model.NormalizerMean is { } means && Array.FindIndex(means, value => !float.IsFinite(value)) is var badMean and >= 0)
            return ($"{MeanTensor}[{badMean}]", $"is {means[badMean]}, not a finite number");
        if (model.NormalizerStd is { } deviations && Array.FindIndex(deviations, value => !(value > 0 && float.IsFinite(value))) is var badStd and >= 0)
            return ($"{StdTensor}[{badStd}]", $"is {deviations[badStd]}, not a positive finite number");
        return null;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LayerSpec[]))]
[JsonSerializable(typeof(int[]))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class ModelFileJson : JsonSerializerContext;
