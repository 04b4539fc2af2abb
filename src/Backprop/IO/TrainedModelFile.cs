using System.Globalization;
using Backprop.Data;
using Backprop.Nn;
using Backprop.Training;

namespace Backprop.IO;

/// <summary>Saves a <see cref="TrainedModel"/> as a safetensors model file and loads it back.</summary>
public static class TrainedModelFile
{
    private const string TargetMeanKey = "target_mean", TargetScaleKey = "target_scale";

    public static SavedModel ToSaved(TrainedModel model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var architecture = new List<LayerSpec>();
        var parameters = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        var layers = model.Network.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            switch (layers[i])
            {
                case Linear<float> linear:
                    architecture.Add(LayerSpec.Dense(linear.InFeatures, linear.OutFeatures));
                    parameters[$"layers.{i}.weight"] = SafeTensor.FromTensor(linear.Weight);
                    parameters[$"layers.{i}.bias"] = SafeTensor.FromTensor(linear.Bias);
                    break;
                case ActivationLayer<float> activation:
                    architecture.Add(LayerSpec.ActivationLayer(activation.Activation.Name()));
                    break;
                default:
                    throw new NotSupportedException($"cannot save layer {i} ({layers[i]})");
            }
        }
        var allMetadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        if (model.Task == TaskKind.Regression)
        {
            allMetadata[TargetMeanKey] = model.TargetMean.ToString("R", CultureInfo.InvariantCulture);
            allMetadata[TargetScaleKey] = model.TargetScale.ToString("R", CultureInfo.InvariantCulture);
        }
        return new SavedModel
        {
            Architecture = architecture,
            Task = model.Task == TaskKind.Classification ? ModelTask.Classification : ModelTask.Regression,
            ClassNames = model.ClassNames,
            InputShape = model.InputShape,
            FeatureNames = model.FeatureNames,
            NormalizerMean = model.Normalizer?.Mean,
            NormalizerStd = model.Normalizer?.Deviation,
            Parameters = parameters,
            Metadata = allMetadata,
        };
    }

    public static void Save(string path, TrainedModel model, IReadOnlyDictionary<string, string>? metadata = null) =>
        ModelFile.Save(path, ToSaved(model, metadata));

    public static TrainedModel Load(string path) => FromSaved(ModelFile.Load(path), path);

    public static TrainedModel FromSaved(SavedModel saved, string path)
    {
        ModelFormatException Error(string field, string problem) => new(path, field, problem);
        var layers = new List<Module<float>>();
        for (int i = 0; i < saved.Architecture.Count; i++)
        {
            var spec = saved.Architecture[i];
            if (spec.Type == "dense")
            {
                var weight = Parameter(saved, $"layers.{i}.weight", path);
                var bias = Parameter(saved, $"layers.{i}.bias", path);
                if (weight.Rank != 2 || bias.Rank != 1 || bias.Dim(0) != weight.Dim(0))
                    throw Error($"layers.{i}", $"weight {ShapeMath.Format(weight.Shape)} and bias {ShapeMath.Format(bias.Shape)} do not form a dense layer");
                if (layers.OfType<Linear<float>>().LastOrDefault() is { } previous && previous.OutFeatures != weight.Dim(1))
                    throw Error($"layers.{i}.weight", $"takes {weight.Dim(1)} inputs, the previous dense layer gives {previous.OutFeatures}");
                layers.Add(new Linear<float>(weight, bias));
            }
            else if (ActivationNames.TryParse(spec.Type, out var activation))
            {
                layers.Add(new ActivationLayer<float>(activation));
            }
            else
            {
                throw Error($"__metadata__.architecture[{i}].type", $"layer type \"{spec.Type}\" is not supported by this version");
            }
        }
        var network = new Sequential<float>(layers);
        var first = layers.OfType<Linear<float>>().FirstOrDefault() ?? throw Error("__metadata__.architecture", "has no dense layer");
        var task = saved.Task == ModelTask.Classification ? TaskKind.Classification : TaskKind.Regression;
        int outputs = layers.OfType<Linear<float>>().Last().OutFeatures;
        int expectedOutputs = task == TaskKind.Classification ? saved.ClassNames!.Length : 1;
        if (outputs != expectedOutputs)
            throw Error("__metadata__.architecture", $"the network gives {outputs} outputs, the task needs {expectedOutputs}");
        long inputSize = saved.InputShape.Aggregate(1L, (p, d) => p * d);
        if (first.InFeatures != inputSize)
            throw Error("__metadata__.input_shape", $"holds {inputSize} values, the first layer takes {first.InFeatures}");
        if (saved.NormalizerMean is { } mean && mean.Length != inputSize)
            throw Error(ModelFile.MeanTensor, $"has {mean.Length} values for {inputSize} features");
        var normalizer = saved.NormalizerMean is { } m ? new Standardizer(m, saved.NormalizerStd!) : null;
        var featureNames = saved.FeatureNames.Length > 0 ? saved.FeatureNames : Enumerable.Range(0, (int)inputSize).Select(i => $"x{i}").ToArray();
        return new TrainedModel(network, task, featureNames, saved.InputShape, saved.ClassNames, normalizer,
            ReadFloat(saved, TargetMeanKey, 0, path), ReadFloat(saved, TargetScaleKey, 1, path));
    }

    private static Tensor<float> Parameter(SavedModel saved, string name, string path)
    {
        if (!saved.Parameters.TryGetValue(name, out var tensor)) throw new ModelFormatException(path, name, "is missing");
        var values = tensor.ToFloats();
        foreach (float value in values)
            if (!float.IsFinite(value)) throw new ModelFormatException(path, name, "holds NaN or infinity");
        return Tensor.FromArray(values, tensor.Shape);
    }

    private static float ReadFloat(SavedModel saved, string key, float fallback, string path)
    {
        if (!saved.Metadata.TryGetValue(key, out var text)) return fallback;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
            throw new ModelFormatException(path, $"__metadata__.{key}", $"\"{text}\" is not a finite number");
        return value;
    }
}
