using System.Text.Json;
using Backprop.Data;
using Backprop.IO;
using Backprop.IO.Onnx;
using Backprop.Nn;
using Backprop.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Backprop.Tests.IO;

/// <summary>
/// The exported graph must compute what Backprop computes: every model here is run by ONNX Runtime (a separate
/// implementation, not ours) on raw inputs and compared with <see cref="TrainedModel"/>'s own predictions.
/// </summary>
public sealed class OnnxExportTests
{
    public static readonly TheoryData<string> Activations = new(ActivationNames.All);

    [Theory]
    [MemberData(nameof(Activations))]
    public void Onnx_runtime_gives_the_same_class_probabilities_for_every_activation(string activation)
    {
        var model = Classifier([5, 12, 7, 3], activation, inputShape: [5], seed: 1);
        var data = RawInputs(rows: 40, model.InputShape, seed: 2);

        float[] expected = model.PredictProbabilities(data);
        float[] actual = RunOnnx(model, data, OnnxExport.ProbabilitiesName);

        AssertClose(expected, actual, absolute: 2e-6, relative: 1e-5);
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void Onnx_runtime_gives_the_same_regression_values_in_the_targets_units(string activation)
    {
        var network = Network([4, 9, 1], activation, seed: 3);
        var model = new TrainedModel(network, TaskKind.Regression, ["a", "b", "c", "d"], [4], null,
            RandomStandardizer(4, seed: 4), targetMean: 37.5f, targetScale: 12.25f);
        var data = RawInputs(rows: 25, model.InputShape, seed: 5);

        float[] expected = model.PredictValues(data);
        float[] actual = RunOnnx(model, data, OnnxExport.ValueName);

        AssertClose(expected, actual, absolute: 1e-5, relative: 1e-5);
    }

    [Fact]
    public void Features_at_the_ends_of_float32s_range_are_standardised_without_overflowing_to_nan()
    {
        // Training standardises in double, so 3e38 beside a mean of −1.5e38 trains; in float32 their difference is ∞.
        var model = new TrainedModel(Network([2, 4, 2], "tanh", seed: 8), TaskKind.Classification, ["a", "b"], [2], ["no", "yes"],
            new Standardizer([-1.5e38f, 0.25f], [2.6e38f, 1.5f]));
        var data = DataSet.Unlabelled([3e38f, 1f, -3e38f, -2f, 3.4e38f, 0.5f], 3, ["a", "b"], [2]);

        float[] expected = model.PredictProbabilities(data);
        float[] actual = RunOnnx(model, data, OnnxExport.ProbabilitiesName);

        Assert.All(expected, probability => Assert.True(float.IsFinite(probability)));
        AssertClose(expected, actual, absolute: 2e-6, relative: 1e-5);
    }

    [Fact]
    public void Regression_values_near_the_ends_of_float32s_range_are_scaled_back_without_overflowing()
    {
        // Targets of ±3e38 train (their scaling is computed in double): 1.7 · 2.6e38 − 1.5e38 is 2.9e38, though the product alone is ∞ in float32.
        var network = new Sequential<float>(new Linear<float>(Tensor.FromArray([1f], 1, 1), Tensor.FromArray([0f], 1)));
        var model = new TrainedModel(network, TaskKind.Regression, ["a"], [1], null, null, targetMean: -1.5e38f, targetScale: 2.6e38f);
        var data = DataSet.Unlabelled([1.7f, -0.5f, 0.3f], 3, ["a"], [1]);

        float[] expected = model.PredictValues(data);
        float[] actual = RunOnnx(model, data, OnnxExport.ValueName);

        Assert.All(expected, value => Assert.True(float.IsFinite(value)));
        AssertClose(expected, actual, absolute: 0, relative: 1e-6);
    }

    [Fact]
    public void Image_models_take_n_c_h_w_images_and_flatten_them_as_training_did()
    {
        var model = Classifier([2 * 3 * 4, 8, 4], "relu", inputShape: [2, 3, 4], seed: 6);
        var data = RawInputs(rows: 10, model.InputShape, seed: 7);

        var proto = ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(model));
        var dims = proto.Graph.Input.Single().Type.TensorType.Shape.Dim;
        Assert.Equal(["N", "2", "3", "4"], dims.Select(d => d.DimParam is { Length: > 0 } name ? name : d.DimValue.ToString()));
        AssertClose(model.PredictProbabilities(data), RunOnnx(model, data, OnnxExport.ProbabilitiesName), 2e-6, 1e-5);
    }

    [Fact]
    public void A_csv_model_read_as_images_takes_the_csv_rows_as_predict_does()
    {
        // Trained on CSV rows with input_shape [1, 8, 8] in --arch: its ONNX input was [N, 1, 8, 8], not the 64 columns.
        var cnn = LayerFilesTests.EveryLayerKind(seed: 5);
        var model = new TrainedModel(cnn.Network, TaskKind.Classification, cnn.FeatureNames, cnn.InputShape, cnn.ClassNames, cnn.Normalizer)
        {
            TargetName = "digit",
        };
        var data = LayerFilesTests.Images(rows: 12, seed: 6);

        var proto = ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(model));

        var dims = proto.Graph.Input.Single().Type.TensorType.Shape.Dim;
        Assert.Equal(["N", model.FeatureNames.Length.ToString()], dims.Select(d => d.DimParam is { Length: > 0 } name ? name : d.DimValue.ToString()));
        Assert.Equal("standardised", proto.Graph.Node.Single(node => node.OpType == "Reshape").Input[0]);
        AssertClose(model.PredictProbabilities(data), RunOnnx(model, data, OnnxExport.ProbabilitiesName), 2e-6, 1e-5);
    }

    [Fact]
    public void A_cnn_with_every_layer_kind_gives_the_same_probabilities_and_leaves_dropout_out()
    {
        var model = LayerFilesTests.EveryLayerKind(seed: 5);
        var data = LayerFilesTests.Images(rows: 12, seed: 6);

        var proto = ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(model));

        Assert.Equal(["Mul", "Mul", "Mul", "Sub", "Div", "Conv", "BatchNormalization", "Relu", "MaxPool", "Conv", "Tanh", "AveragePool", "Flatten",
            "Gemm", "Mul", "Erf", "Add", "Mul", "Mul", "Gemm", "Softmax"], proto.Graph.Node.Select(node => node.OpType));
        AssertClose(model.PredictProbabilities(data), RunOnnx(model, data, OnnxExport.ProbabilitiesName), 2e-6, 1e-5);
    }

    [Fact]
    public void A_model_without_input_standardisation_exports_no_normalizer()
    {
        var model = new TrainedModel(Network([3, 4, 2], "tanh", seed: 8), TaskKind.Classification, ["x", "y", "z"], [3],
            ["no", "yes"], normalizer: null);
        var data = RawInputs(rows: 6, model.InputShape, seed: 9);

        var proto = ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(model));
        Assert.DoesNotContain(proto.Graph.Node, node => node.OpType is "Sub" or "Div");
        AssertClose(model.PredictProbabilities(data), RunOnnx(model, data, OnnxExport.ProbabilitiesName), 2e-6, 1e-5);
    }

    [Fact]
    public void The_file_declares_its_opset_names_its_tensors_as_the_model_file_does_and_carries_the_labels()
    {
        var model = Classifier([5, 6, 3], "sigmoid", inputShape: [5], seed: 10);

        var proto = ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(model));

        Assert.Equal(OnnxExport.IrVersion, proto.IrVersion);
        Assert.Equal(OnnxExport.Opset, proto.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.Equal("backprop", proto.ProducerName);
        Assert.Equal(OnnxExport.InputName, proto.Graph.Input.Single().Name);
        var output = proto.Graph.Output.Single();
        Assert.Equal(OnnxExport.ProbabilitiesName, output.Name);
        Assert.Equal(3, output.Type.TensorType.Shape.Dim[1].DimValue);
        var saved = TrainedModelFile.ToSaved(model);
        Assert.Equal(saved.Parameters.Keys.Concat(["normalizer.mean", "normalizer.std", "normalizer.half"]).Order(),
            proto.Graph.Initializer.Select(tensor => tensor.Name).Order());
        var metadata = proto.MetadataProps.ToDictionary(entry => entry.Key, entry => entry.Value);
        Assert.Equal("classification", metadata["task"]);
        Assert.Equal(model.ClassNames, JsonSerializer.Deserialize<string[]>(metadata["class_names"]));
        Assert.Equal(model.FeatureNames, JsonSerializer.Deserialize<string[]>(metadata["feature_names"]));
    }

    [Fact]
    public void Weights_are_stored_bit_for_bit()
    {
        var model = Classifier([4, 5, 2], "relu", inputShape: [4], seed: 11);
        var first = (Linear<float>)model.Network.Layers[0];

        var proto = ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(model));
        var weight = proto.Graph.Initializer.Single(tensor => tensor.Name == "layers.0.weight");

        Assert.Equal([5L, 4L], weight.Dims);
        Assert.Equal(first.Weight.ToArray(), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(weight.RawData.Span).ToArray());
    }

    [Fact]
    public void Large_logits_give_finite_probabilities_in_both()
    {
        var network = Network([2, 2], "identity", seed: 12);
        var last = (Linear<float>)network.Layers.OfType<Linear<float>>().Last();
        last.Weight.Data.Fill(500f);
        var model = new TrainedModel(network, TaskKind.Classification, ["a", "b"], [2], ["p", "q"], null);
        var data = DataSet.Unlabelled([1000f, -1000f, -3f, 4f], 2, ["a", "b"], [2]);

        float[] actual = RunOnnx(model, data, OnnxExport.ProbabilitiesName);

        Assert.All(actual, p => Assert.True(float.IsFinite(p)));
        AssertClose(model.PredictProbabilities(data), actual, 1e-6, 1e-6);
    }

    internal static float[] RunOnnx(TrainedModel model, DataSet data, string outputName) =>
        RunOnnx(OnnxExport.ToBytes(model), data.Features, [data.Rows, .. OnnxExport.SampleInputShape(model)], outputName);

    internal static float[] RunOnnx(byte[] onnx, float[] features, int[] shape, string outputName)
    {
        using var session = new InferenceSession(onnx);
        var input = new DenseTensor<float>(features, shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.InputName, input)]);
        return results.Single(result => result.Name == outputName).AsTensor<float>().ToArray();
    }

    internal static void AssertClose(float[] expected, float[] actual, double absolute, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= absolute + relative * Math.Abs(expected[i]),
                $"output {i}: ONNX Runtime gives {actual[i]}, Backprop {expected[i]}");
    }

    private static TrainedModel Classifier(int[] widths, string activation, int[] inputShape, int seed)
    {
        int features = widths[0], classes = widths[^1];
        return new TrainedModel(Network(widths, activation, seed), TaskKind.Classification,
            Enumerable.Range(0, features).Select(i => $"f{i}").ToArray(), inputShape,
            Enumerable.Range(0, classes).Select(i => $"class {i}").ToArray(), RandomStandardizer(features, seed + 100));
    }

    // Dense layers of the given widths with the activation between them, as `train --layers` builds.
    private static Sequential<float> Network(int[] widths, string activation, int seed)
    {
        Assert.True(ActivationNames.TryParse(activation, out var kind));
        var random = new Random(seed);
        var layers = new List<Module<float>>();
        for (int i = 0; i + 1 < widths.Length; i++)
        {
            layers.Add(new Linear<float>(widths[i], widths[i + 1], random));
            if (i + 2 < widths.Length)
                layers.Add(new ActivationLayer<float>(kind));
        }
        return new Sequential<float>(layers);
    }

    private static Standardizer RandomStandardizer(int features, int seed)
    {
        var random = new Random(seed);
        return new Standardizer(
            Enumerable.Range(0, features).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray(),
            Enumerable.Range(0, features).Select(_ => (float)(0.1 + random.NextDouble() * 5)).ToArray());
    }

    // Raw values around the standardiser's range, so every activation sees both signs and some large inputs.
    private static DataSet RawInputs(int rows, int[] inputShape, int seed)
    {
        var random = new Random(seed);
        int features = inputShape.Aggregate(1, (product, dim) => product * dim);
        var values = Enumerable.Range(0, rows * features).Select(_ => (float)(random.NextDouble() * 40 - 20)).ToArray();
        return DataSet.Unlabelled(values, rows, Enumerable.Range(0, features).Select(i => $"f{i}").ToArray(), inputShape);
    }
}
