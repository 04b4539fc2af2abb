using System.Globalization;
using Backprop.Data;
using Backprop.Nn;
using Backprop.Training;

namespace Backprop.IO;

/// <summary>Saves a <see cref="TrainedModel"/> as a safetensors model file and loads it back.</summary>
public static class TrainedModelFile
{
    private const string TargetMeanKey = "target_mean", TargetScaleKey = "target_scale", TargetNameKey = "target";

    /// <summary>The file form of a trained model: its architecture, tensors and <paramref name="metadata"/>.</summary>
    public static SavedModel ToSaved(TrainedModel model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var parameters = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        var layers = model.Network.Layers;
        var architecture = layers.Select((layer, index) => LayerFiles.Write(layer, index, parameters)).ToList();
        var allMetadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        if (model.TargetName is { } targetName) allMetadata[TargetNameKey] = targetName;
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

    /// <summary>Writes the model to <paramref name="path"/> atomically: on failure an existing file is left untouched.</summary>
    public static void Save(string path, TrainedModel model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(model);
        ModelFile.Save(path, ToSaved(model, metadata));
    }

    /// <summary>Reads a model file; problems are a <see cref="ModelFormatException"/> or <see cref="ModelFileException"/> naming the file and field.</summary>
    public static TrainedModel Load(string path) => FromSaved(ModelFile.Load(path), path);

    /// <summary>Builds the network a saved model describes; <paramref name="path"/> is the name errors give it.</summary>
    public static TrainedModel FromSaved(SavedModel saved, string path)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(path);
        ModelFormatException Error(string field, string problem) => new(path, field, problem);
        var layers = saved.Architecture.Select((spec, index) => LayerFiles.Read(spec, index, saved, path)).ToList();
        var network = new Sequential<float>(layers);
        var dense = layers.OfType<Linear<float>>().ToArray();
        if (dense.Length == 0) throw Error("__metadata__.architecture", "has no dense layer");
        var task = saved.Task == ModelTask.Classification ? TaskKind.Classification : TaskKind.Regression;
        long inputSize = saved.InputShape.Aggregate(1L, (p, d) => p * d);
        // Dense stacks get messages that name the mismatched tensor; other stacks rely on the dry run below.
        for (int i = 1; i < dense.Length; i++)
        {
            int at = layers.IndexOf(dense[i]);
            if (dense[i].InFeatures != dense[i - 1].OutFeatures && !layers.Take(at).Any(IsShaping))
                throw Error($"layers.{at}.weight", $"takes {dense[i].InFeatures} inputs, the previous dense layer gives {dense[i - 1].OutFeatures}");
        }
        if (layers.SkipWhile(layer => layer is Flatten<float>).FirstOrDefault() is Linear<float> first && first.InFeatures != inputSize)
            throw Error("__metadata__.input_shape", $"holds {inputSize} values, the first layer takes {first.InFeatures}");
        CheckSampleSizes(layers, saved.InputShape, path);
        int outputs = OutputWidth(network, saved.InputShape, path);
        int expectedOutputs = task == TaskKind.Classification ? saved.ClassNames!.Length : 1;
        if (outputs != expectedOutputs)
            throw Error("__metadata__.architecture", $"the network gives {outputs} outputs, the task needs {expectedOutputs}");
        if (saved.NormalizerMean is { } mean && mean.Length != inputSize)
            throw Error(ModelFile.MeanTensor, $"has {mean.Length} values for {inputSize} features");
        var normalizer = saved.NormalizerMean is { } m ? new Standardizer(m, saved.NormalizerStd!) : null;
        var featureNames = saved.FeatureNames.Length > 0 ? saved.FeatureNames : Enumerable.Range(0, (int)inputSize).Select(i => $"x{i}").ToArray();
        return new TrainedModel(network, task, featureNames, saved.InputShape, saved.ClassNames, normalizer,
            task == TaskKind.Regression ? ReadFloat(saved, TargetMeanKey, path) : 0,
            task == TaskKind.Regression ? ReadTargetScale(saved, path) : 1)
        {
            TargetName = TargetName(saved, featureNames, path),
        };
    }

    // NOTE: eval and predict find the target by this name, so a blank one, or a feature's, would send them after the wrong column.
    private static string? TargetName(SavedModel saved, string[] featureNames, string path)
    {
        if (saved.Metadata.GetValueOrDefault(TargetNameKey) is not { } name) return null;
        if (name.Trim().Length == 0) throw new ModelFormatException(path, "__metadata__.target", "is blank; it names the target column");
        if (featureNames.Contains(name.Trim()))
            throw new ModelFormatException(path, "__metadata__.target", $"'{name}' is one of the model's features, not its target");
        return name;
    }

    private static bool IsShaping(Module<float> layer) => layer is Conv2d<float> or MaxPool2d<float> or AvgPool2d<float>;

    // Every layer's output for one sample, sized in long before the dry run below allocates it: a damaged or
    // hand-written file (a padding of 100000) would otherwise overflow an array length, or ask for gigabytes.
    // Shapes that do not fit together are left to the dry run, which says how.
    private static void CheckSampleSizes(List<Module<float>> layers, int[] inputShape, string path)
    {
        long[] shape = [.. inputShape.Select(size => (long)size)];
        if (SampleSize.IsTooLarge(shape))
            throw new ModelFormatException(path, "__metadata__.input_shape",
                $"{ShapeMath.Format(inputShape)} is more than the {SampleSize.MaxValues:N0} values per sample this version holds");
        for (int i = 0; i < layers.Count; i++)
        {
            bool image = shape.Length == 3;
            long[] input = shape;
            shape = layers[i] switch
            {
                Linear<float> linear => [linear.OutFeatures],
                Conv2d<float> conv when image => SampleSize.AfterWindows(shape, conv.OutChannels, conv.Kernel, conv.Stride, conv.Padding),
                MaxPool2d<float> pool when image => SampleSize.AfterWindows(shape, shape[0], pool.Kernel, pool.Stride, 0),
                AvgPool2d<float> pool when image => SampleSize.AfterWindows(shape, shape[0], pool.Kernel, pool.Stride, 0),
                Flatten<float> => [shape.Aggregate(1L, (product, size) => product * size)], // each size was checked: no overflow
                _ => shape,
            };
            if (shape.Any(size => size <= 0)) return;
            string? problem = layers[i] is Conv2d<float> convolution && image
                ? SampleSize.ConvolutionProblem(input, convolution.Kernel, shape)
                : SampleSize.OutputProblem(shape);
            if (problem is not null) throw new ModelFormatException(path, $"__metadata__.architecture[{i}]", problem);
        }
    }

    // The layers run once on one zero sample: the only check that convolutions, pooling and dense widths fit
    // the input shape and each other, which a file written by hand (or damaged) may not do.
    // NOTE: a stack that starts with a dense layer reads each sample as a flat row, whatever its shape (an MLP
    // trained on 28×28 IDX images has input_shape [1, 28, 28] and no flatten layer), as training and evaluation do.
    private static int OutputWidth(Sequential<float> network, int[] inputShape, string path)
    {
        // NOTE: the check runs in inference on this thread only, and leaves the modules in training mode, as a freshly
        // built network is: a loaded model that is fine-tuned by hand must not start with its dropout off and batch norm frozen.
        string problem;
        try
        {
            int[] shape = TrainedModel.OneSampleOutputShape(network, inputShape);
            if (shape.Length == 2) return shape[1];
            problem = $"the network's output is {ShapeMath.Format(shape)}, not [batch, outputs] (a flatten layer missing?)";
        }
        catch (ArgumentException exception)
        {
            problem = exception.Message;
        }
        throw new ModelFormatException(path, "__metadata__.architecture", $"the layers do not fit input_shape {ShapeMath.Format(inputShape)}: {problem}");
    }

    // NOTE: training writes the targets' deviation, or 1 for a constant target: a scale of 0 would predict the mean
    // for every row, and a negative one would turn every prediction over.
    private static float ReadTargetScale(SavedModel saved, string path)
    {
        float scale = ReadFloat(saved, TargetScaleKey, path);
        if (scale <= 0)
            throw new ModelFormatException(path, $"__metadata__.{TargetScaleKey}", $"{scale.ToString("R", CultureInfo.InvariantCulture)} is not a positive number");
        return scale;
    }

    // NOTE: training has always written both for a regression model; a default (mean 0, scale 1) in place of a lost
    // one shifted every prediction without a word (a damaged "target_mean" key: each value off by the mean, −986).
    private static float ReadFloat(SavedModel saved, string key, string path)
    {
        if (!saved.Metadata.TryGetValue(key, out var text))
            throw new ModelFormatException(path, $"__metadata__.{key}", "is missing; a regression model needs it to scale its outputs back");
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
            throw new ModelFormatException(path, $"__metadata__.{key}", $"\"{text}\" is not a finite number");
        return value;
    }
}
