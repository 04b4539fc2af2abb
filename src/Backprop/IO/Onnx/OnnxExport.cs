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
    public const long Opset = 13;
    public const long IrVersion = 7;
    public const string InputName = "input";
    public const string ProbabilitiesName = "probabilities";
    public const string ValueName = "value";

    /// <summary>Writes the model to <paramref name="path"/> atomically: all of it, or nothing.</summary>
    public static void Save(string path, TrainedModel model)
    {
        byte[] bytes = ToBytes(model);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    public static byte[] ToBytes(TrainedModel model) => Build(model).ToByteArray();

    internal static ModelProto Build(TrainedModel model)
    {
        var graph = new GraphProto { Name = "backprop" };
        var builder = new OnnxGraphBuilder(graph);
        long features = model.InputShape.Aggregate(1L, (product, dim) => product * dim);
        graph.Input.Add(OnnxGraphBuilder.FloatTensor(InputName, [null, .. model.InputShape.Select(dim => (long?)dim)]));

        string x = InputName;
        if (model.InputShape.Length > 1)
            x = builder.Node("Flatten", "flatten", [x], OnnxGraphBuilder.Int("axis", 1));
        if (model.Normalizer is { } normalizer)
        {
            // Sub then Div, as Standardizer.Apply does, so the rounding is the same.
            x = builder.Node("Sub", "centred", [x, builder.Constant("normalizer.mean", normalizer.Mean, features)]);
            x = builder.Node("Div", "standardised", [x, builder.Constant("normalizer.std", normalizer.Deviation, features)]);
        }
        var layers = model.Network.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i] switch
            {
                Linear<float> linear => builder.Node("Gemm", $"layers.{i}", [x,
                        builder.Constant($"layers.{i}.weight", linear.Weight.Data, linear.OutFeatures, linear.InFeatures),
                        builder.Constant($"layers.{i}.bias", linear.Bias.Data, linear.OutFeatures)],
                    OnnxGraphBuilder.Int("transB", 1)),
                ActivationLayer<float> activation => AddActivation(builder, activation.Activation, x, $"layers.{i}"),
                _ => throw new NotSupportedException($"layer {i} ({layers[i]}) has no ONNX form yet"),
            };
        }

        if (model.Task == TaskKind.Classification)
        {
            builder.Node("Softmax", ProbabilitiesName, [x], OnnxGraphBuilder.Int("axis", 1));
            graph.Output.Add(OnnxGraphBuilder.FloatTensor(ProbabilitiesName, null, model.OutputWidth));
        }
        else
        {
            x = builder.Node("Mul", "scaled", [x, builder.Scalar("target.scale", model.TargetScale)]);
            builder.Node("Add", ValueName, [x, builder.Scalar("target.mean", model.TargetMean)]);
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
