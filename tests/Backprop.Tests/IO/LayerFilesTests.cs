using Backprop.Data;
using Backprop.IO;
using Backprop.Nn;
using Backprop.Training;

namespace Backprop.Tests.IO;

public sealed class LayerFilesTests
{
    /// <summary>Every layer kind, with batch norm statistics that are not the defaults.</summary>
    internal static TrainedModel EveryLayerKind(int seed)
    {
        var random = new Random(seed);
        var norm = new BatchNorm<float>(
            Tensor.FromArray([1.5f, 0.5f, 2f], 3), Tensor.FromArray([0.1f, -0.2f, 0.3f], 3),
            Tensor.FromArray([0.05f, -0.1f, 0.2f], 3), Tensor.FromArray([0.9f, 1.4f, 0.6f], 3));
        var network = new Sequential<float>(
            new Conv2d<float>(2, 3, 3, random, stride: 1, padding: 1), norm, new ActivationLayer<float>(Activation.Relu),
            new MaxPool2d<float>(2), new Conv2d<float>(3, 4, 2, random, stride: 2, padding: 0), new ActivationLayer<float>(Activation.Tanh),
            new AvgPool2d<float>(1), new Flatten<float>(), new Dropout<float>(0.25), new Linear<float>(4, 5, random),
            new ActivationLayer<float>(Activation.Gelu), new Linear<float>(5, 3, random));
        var features = Enumerable.Range(0, 2 * 6 * 6).Select(i => $"p{i}").ToArray();
        var mean = Enumerable.Range(0, 72).Select(i => (float)Math.Sin(i)).ToArray();
        var deviation = Enumerable.Range(0, 72).Select(i => 1 + (float)(i % 5) / 4).ToArray();
        return new TrainedModel(network, TaskKind.Classification, features, [2, 6, 6], ["a", "b", "c"], new Standardizer(mean, deviation));
    }

    internal static DataSet Images(int rows, int seed)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, rows * 72).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
        return DataSet.Unlabelled(values, rows, Enumerable.Range(0, 72).Select(i => $"p{i}").ToArray(), [2, 6, 6]);
    }

    [Fact]
    public void A_model_with_every_layer_kind_comes_back_with_the_same_predictions()
    {
        var model = EveryLayerKind(seed: 1);
        var data = Images(rows: 9, seed: 2);
        string path = Path.Combine(Path.GetTempPath(), $"backprop-layers-{Guid.NewGuid():N}.bp");
        try
        {
            TrainedModelFile.Save(path, model);
            var loaded = TrainedModelFile.Load(path);

            Assert.Equal(model.Network.Layers.Select(layer => layer.ToString()), loaded.Network.Layers.Select(layer => layer.ToString()));
            Assert.Equal(model.PredictProbabilities(data), loaded.PredictProbabilities(data));
            var buffers = loaded.Network.NamedBuffers().ToArray();
            Assert.Equal(["1.running_mean", "1.running_var"], buffers.Select(pair => pair.Name));
            Assert.Equal([0.9f, 1.4f, 0.6f], buffers[1].Buffer.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_architecture_whose_kernel_does_not_fit_the_input_shape_is_a_format_error_naming_the_architecture()
    {
        var saved = TrainedModelFile.ToSaved(EveryLayerKind(seed: 3));
        var broken = saved with { InputShape = [2, 1, 72] }; // same 144 values, but no 3×3 window fits one row

        var error = Assert.Throws<ModelFormatException>(() => TrainedModelFile.FromSaved(broken, "m.bp"));

        Assert.Contains("__metadata__.architecture", error.Message);
        Assert.Contains("input_shape", error.Message);
    }

    [Fact]
    public void A_batch_norm_without_its_running_statistics_is_a_format_error_naming_the_tensor()
    {
        var saved = TrainedModelFile.ToSaved(EveryLayerKind(seed: 4));
        var parameters = saved.Parameters.Where(pair => pair.Key != "layers.1.running_var").ToDictionary();

        var error = Assert.Throws<ModelFormatException>(() => TrainedModelFile.FromSaved(saved with { Parameters = parameters }, "m.bp"));

        Assert.Contains("layers.1.running_var", error.Message);
    }

    [Fact]
    public void An_activation_written_on_a_dense_layer_is_refused_rather_than_left_out_of_the_predictions()
    {
        var saved = TrainedModelFile.ToSaved(EveryLayerKind(seed: 5));
        var architecture = saved.Architecture.ToList();
        architecture[9] = architecture[9] with { Activation = "gelu" }; // the dense layer before the gelu layer

        var error = Assert.Throws<ModelFormatException>(() => TrainedModelFile.FromSaved(saved with { Architecture = architecture }, "m.bp"));

        Assert.Equal("__metadata__.architecture[9].activation", error.Field);
        Assert.Contains("write it as the next layer", error.Message);
    }

    [Fact]
    public void An_identity_activation_on_a_dense_layer_changes_nothing_and_is_accepted()
    {
        var model = EveryLayerKind(seed: 6);
        var saved = TrainedModelFile.ToSaved(model);
        var architecture = saved.Architecture.ToList();
        architecture[9] = architecture[9] with { Activation = "identity" };

        var loaded = TrainedModelFile.FromSaved(saved with { Architecture = architecture }, "m.bp");

        var data = Images(rows: 4, seed: 7);
        Assert.Equal(model.PredictProbabilities(data), loaded.PredictProbabilities(data));
    }

    // Layers of EveryLayerKind: 0 conv2d (2→3, kernel 3), 1 batchnorm (3), 4 conv2d (3→4, kernel 2), 9 dense (4→5), 11 dense (5→3).
    [Theory]
    [InlineData(9, "in_features", "is 7, but layers.9.weight [5, 4] gives 4")]
    [InlineData(11, "units", "is 7, but layers.11.weight [3, 5] gives 3")]
    [InlineData(0, "in_channels", "is 7, but layers.0.weight [3, 2, 3, 3] gives 2")]
    [InlineData(4, "out_channels", "is 7, but layers.4.weight [4, 3, 2, 2] gives 4")]
    [InlineData(4, "kernel", "is 7, but layers.4.weight [4, 3, 2, 2] gives 2")]
    [InlineData(1, "in_channels", "is 7, but layers.1.weight [3] gives 3")]
    public void A_layer_size_the_architecture_states_and_the_weights_contradict_is_refused_naming_it(int layer, string key, string problem)
    {
        var saved = TrainedModelFile.ToSaved(EveryLayerKind(seed: 8));
        var architecture = saved.Architecture.ToList();
        architecture[layer] = key switch
        {
            "in_features" => architecture[layer] with { InFeatures = 7 },
            "units" => architecture[layer] with { Units = 7 },
            "in_channels" => architecture[layer] with { InChannels = 7 },
            "out_channels" => architecture[layer] with { OutChannels = 7 },
            _ => architecture[layer] with { Kernel = 7 },
        };

        var error = Assert.Throws<ModelFormatException>(() => TrainedModelFile.FromSaved(saved with { Architecture = architecture }, "m.bp"));

        Assert.Equal($"__metadata__.architecture[{layer}].{key}", error.Field);
        Assert.Equal($"{problem}; the file is damaged or was edited by hand", error.Problem);
    }

    [Fact]
    public void An_architecture_that_leaves_the_sizes_to_the_weights_is_accepted()
    {
        var model = EveryLayerKind(seed: 9);
        var saved = TrainedModelFile.ToSaved(model);
        var architecture = saved.Architecture.Select(spec => spec with { InFeatures = null, Units = null, InChannels = null, OutChannels = null }).ToList();

        var loaded = TrainedModelFile.FromSaved(saved with { Architecture = architecture }, "m.bp");

        var data = Images(rows: 4, seed: 10);
        Assert.Equal(model.PredictProbabilities(data), loaded.PredictProbabilities(data));
    }
}
