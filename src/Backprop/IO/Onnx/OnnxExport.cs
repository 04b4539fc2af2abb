using System.Text.Json;
using Backprop.Data;
using Backprop.Nn;
using Backprop.Training;
using Google.Protobuf;

namespace Backprop.IO.Onnx;

/// <summary>
/// Writes a <see cref="TrainedModel"/> as an ONNX model that takes the same raw inputs as
/// <see cref="TrainedModel.PredictProbabilities"/> and <see cref="TrainedModel.PredictValues"/>: the input
/// standardisation, the layers, and the softmax (classification) or the target's units (regression) are all
/// in the graph. Any ONNX runtime (onnxruntime, ML.NET, the browser's onnxruntime-web) can then serve it.
/// </summary>
/// <remarks>
/// Opset 13, IR version 7: old enough for every maintained runtime, new enough for Softmax over one axis.
/// The input is "input", [N, features], or [N, C, H, W] for image models; the output is "probabilities",
/// [N, classes], or "value", [N, 1]. Class labels and feature names travel in the metadata properties.
/// </remarks>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the exported graph uses.</summary>
    public const long Opset = 13;
    /// <summary>The ONNX IR version written, the oldest that opset 13 allows.</summary>
    public const long IrVersion = 7;
    /// <summary>The graph input's name.</summary>
    public const string InputName = "input";
    /// <summary>The output of a classifier: softmax probabilities.</summary>
    public const string ProbabilitiesName = "probabilities";
    /// <summary>The output of a regressor: values in the target's units.</summary>
    public const string ValueName = "value";

    /// <summary>Writes the model to <paramref name="path"/> atomically: all of it, or nothing.</summary>
    public static void Save(string path, TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = ToBytes(model);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>The ONNX model as bytes, for writing or loading in memory.</summary>
    public static byte[] ToBytes(TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Build(model).ToByteArray();
    }

    /// <summary>One sample's shape as the ONNX input takes it: what `predict` reads. A CSV model whose network reads
    /// its rows as images (`input_shape` [1, 8, 8] in --arch) takes the rows, [features], and reshapes them inside;
    /// an IDX model takes [C, H, W] images.</summary>
    /// <remarks>NOTE: a model trained on CSV knows its target column (<see cref="TrainedModel.TargetName"/>); one
    /// saved before that was kept cannot be told from an IDX model, and keeps its [C, H, W] input.</remarks>
    public static int[] SampleInputShape(TrainedModel model) =>
        (model ?? throw new ArgumentNullException(nameof(model))).InputShape.Length > 1 && model.TargetName is not null ? [model.FeatureNames.Length] : model.InputShape;

    internal static ModelProto Build(TrainedModel model)
    {
        var graph = new GraphProto { Name = "backprop" };
        var builder = new OnnxGraphBuilder(graph);
        long[] inputShape = SampleInputShape(model).Select(dim => (long)dim).ToArray();
        graph.Input.Add(OnnxGraphBuilder.FloatTensor(InputName, [null, .. inputShape.Select(dim => (long?)dim)]));

        string x = InputName;
        long[] sampleShape = model.InputShape.Select(dim => (long)dim).ToArray();
        if (model.Normalizer is { } normalizer)
        {
            // Sub then Div, as Standardizer.Apply does, so the rounding is the same; the statistics take the
            // input's own shape, so image inputs are standardised without leaving [N, C, H, W].
            // NOTE: Apply subtracts in double, where 3e38 − (−1.5e38) fits; in float32 it overflowed to ∞ and the
            // probabilities came out NaN. Halving input, mean and deviation first keeps the difference in range, and
            // since halving is exact (but for subnormals), (x/2 − m/2) / (s/2) rounds just as (x − m) / s did.
            string half = builder.Scalar("normalizer.half", 0.5f);
            string halfMean = builder.Node("Mul", "normalizer.mean.halved", [builder.Constant("normalizer.mean", normalizer.Mean, inputShape), half]);
            string halfDeviation = builder.Node("Mul", "normalizer.std.halved", [builder.Constant("normalizer.std", normalizer.Deviation, inputShape), half]);
            x = builder.Node("Mul", "input.halved", [x, half]);
            x = builder.Node("Sub", "centred", [x, halfMean]);
            x = builder.Node("Div", "standardised", [x, halfDeviation]);
        }
        if (inputShape.Length != sampleShape.Length)
            x = builder.Node("Reshape", "images", [x, builder.Int64Constant("input_shape", [-1, .. sampleShape])]);
        // Only dense and flatten layers change the rank ([N, C, H, W] → [N, features]); the others keep it.
        bool flat = model.InputShape.Length == 1;
        var layers = model.Network.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is Linear<float> && !flat)
                x = builder.Node("Flatten", $"layers.{i}.flattened", [x], OnnxGraphBuilder.Int("axis", 1)); // a model trained on flat rows of image data
            x = AddLayer(builder, layers[i], x, $"layers.{i}");
            flat |= layers[i] is Linear<float> or Flatten<float>;
        }

        if (model.Task == TaskKind.Classification)
        {
            builder.Node("Softmax", ProbabilitiesName, [x], OnnxGraphBuilder.Int("axis", 1));
            graph.Output.Add(OnnxGraphBuilder.FloatTensor(ProbabilitiesName, null, model.OutputWidth));
        }
        else
        {
            // NOTE: PredictValues scales back in double, where 1.7 · 2.6e38 − 1.5e38 fits; in float32 the product
            // overflowed to ∞. Halved scale and mean keep each step in range, and doubling at the end is exact.
            string half = builder.Scalar("target.half", 0.5f);
            string halfScale = builder.Node("Mul", "target.scale.halved", [builder.Scalar("target.scale", model.TargetScale), half]);
            string halfMean = builder.Node("Mul", "target.mean.halved", [builder.Scalar("target.mean", model.TargetMean), half]);
            x = builder.Node("Mul", "scaled", [x, halfScale]);
            x = builder.Node("Add", "shifted", [x, halfMean]);
            builder.Node("Mul", ValueName, [x, builder.Scalar("target.two", 2f)]);
            graph.Output.Add(OnnxGraphBuilder.FloatTensor(ValueName, null, 1));
        }

        var onnx = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "backprop",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            DocString = model.Task == TaskKind.Classification
                ? $"Backprop classifier: raw inputs to the probabilities of {model.OutputWidth} classes (labels in metadata 'class_names')."
                : "Backprop regressor: raw inputs to predicted values in the target's units.",
            Graph = graph,
        };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        AddMetadata(onnx, "task", model.Task == TaskKind.Classification ? ModelTask.Classification : ModelTask.Regression);
        if (model.ClassNames is { } classes)
            AddMetadata(onnx, "class_names", JsonSerializer.Serialize(classes));
        AddMetadata(onnx, "feature_names", JsonSerializer.Serialize(model.FeatureNames));
        return onnx;
    }

    private static string AddLayer(OnnxGraphBuilder builder, Module<float> layer, string x, string name) => layer switch
    {
        Linear<float> linear => builder.Node("Gemm", name, [x,
                builder.Constant($"{name}.weight", linear.Weight.Data, linear.OutFeatures, linear.InFeatures),
                builder.Constant($"{name}.bias", linear.Bias.Data, linear.OutFeatures)],
            OnnxGraphBuilder.Int("transB", 1)),
        ActivationLayer<float> activation => AddActivation(builder, activation.Activation, x, name),
        Conv2d<float> conv => builder.Node("Conv", name, [x,
                builder.Constant($"{name}.weight", conv.Weight.Data, conv.OutChannels, conv.InChannels, conv.Kernel, conv.Kernel),
                builder.Constant($"{name}.bias", conv.Bias.Data, conv.OutChannels)],
            OnnxGraphBuilder.Ints("kernel_shape", conv.Kernel, conv.Kernel), OnnxGraphBuilder.Ints("strides", conv.Stride, conv.Stride),
            OnnxGraphBuilder.Ints("pads", conv.Padding, conv.Padding, conv.Padding, conv.Padding)),
        MaxPool2d<float> pool => builder.Node("MaxPool", name, [x],
            OnnxGraphBuilder.Ints("kernel_shape", pool.Kernel, pool.Kernel), OnnxGraphBuilder.Ints("strides", pool.Stride, pool.Stride)),
        AvgPool2d<float> pool => builder.Node("AveragePool", name, [x],
            OnnxGraphBuilder.Ints("kernel_shape", pool.Kernel, pool.Kernel), OnnxGraphBuilder.Ints("strides", pool.Stride, pool.Stride)),
        BatchNorm<float> norm => builder.Node("BatchNormalization", name, [x,
                builder.Constant($"{name}.weight", norm.Weight.Data, norm.Channels),
                builder.Constant($"{name}.bias", norm.Bias.Data, norm.Channels),
                builder.Constant($"{name}.running_mean", norm.RunningMean.Data, norm.Channels),
                builder.Constant($"{name}.running_var", norm.RunningVar.Data, norm.Channels)],
            OnnxGraphBuilder.Float("epsilon", (float)BatchNorm<float>.Epsilon)),
        // Inference: dropout passes its input through, so the graph needs no node for it.
        Dropout<float> => x,
        Flatten<float> => builder.Node("Flatten", name, [x], OnnxGraphBuilder.Int("axis", 1)),
        _ => throw new NotSupportedException($"{name} ({layer}) has no ONNX form yet"),
    };

    private static string AddActivation(OnnxGraphBuilder builder, Activation activation, string x, string output) => activation switch
    {
        Activation.Identity => builder.Node("Identity", output, [x]),
        Activation.Sigmoid => builder.Node("Sigmoid", output, [x]),
        Activation.Tanh => builder.Node("Tanh", output, [x]),
        Activation.Relu => builder.Node("Relu", output, [x]),
        Activation.LeakyRelu => builder.Node("LeakyRelu", output, [x],
            OnnxGraphBuilder.Float("alpha", (float)Kernels.ActivationFunctions.LeakySlope)),
        Activation.Softplus => builder.Node("Softplus", output, [x]),
        Activation.Gelu => AddGelu(builder, x, output),
        _ => throw new NotSupportedException($"activation {activation} has no ONNX form yet"),
    };

    // NOTE: opset 13 has no Gelu (it came in opset 20); the exact erf form is 0.5·x·(1 + erf(x/√2)).
    private static string AddGelu(OnnxGraphBuilder builder, string x, string output)
    {
        string scaled = builder.Node("Mul", output + ".scaled", [x, builder.Scalar("gelu.inverse_sqrt2", 0.70710678f)]);
        string erf = builder.Node("Erf", output + ".erf", [scaled]);
        string onePlus = builder.Node("Add", output + ".one_plus", [erf, builder.Scalar("gelu.one", 1f)]);
        string times = builder.Node("Mul", output + ".times_x", [x, onePlus]);
        return builder.Node("Mul", output, [times, builder.Scalar("gelu.half", 0.5f)]);
    }

    private static void AddMetadata(ModelProto model, string key, string value) =>
        model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
}
