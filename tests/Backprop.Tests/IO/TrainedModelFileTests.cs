using Backprop.Data;
using Backprop.IO;
using Backprop.Nn;
using Backprop.Training;

namespace Backprop.Tests.IO;

public sealed class TrainedModelFileTests
{
    private static SavedModel Regressor(float targetScale)
    {
        var network = new Sequential<float>(new Linear<float>(Tensor.FromArray([0.5f, -0.25f], 1, 2), Tensor.FromArray([0.1f], 1)));
        var model = new TrainedModel(network, TaskKind.Regression, ["a", "b"], [2], null, null, targetMean: 40f, targetScale: targetScale);
        return TrainedModelFile.ToSaved(model);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-12.5")]
    public void A_regression_target_scale_that_is_not_positive_is_refused_by_field(string scale)
    {
        var saved = Regressor(12.5f);
        var metadata = saved.Metadata.ToDictionary();
        metadata["target_scale"] = scale;

        var error = Assert.Throws<ModelFormatException>(() => TrainedModelFile.FromSaved(saved with { Metadata = metadata }, "m.bp"));

        Assert.Equal("__metadata__.target_scale", error.Field);
        Assert.EndsWith($"{scale} is not a positive number", error.Message);
    }

    [Fact]
    public void A_regression_model_keeps_its_target_mean_and_scale()
    {
        var loaded = TrainedModelFile.FromSaved(Regressor(12.5f), "m.bp");

        Assert.Equal(40f, loaded.TargetMean);
        Assert.Equal(12.5f, loaded.TargetScale);
    }

    [Theory]
    [InlineData("target_mean")]
    [InlineData("target_scale")]
    public void A_regression_model_without_its_target_mean_or_scale_is_refused_by_field(string key)
    {
        var saved = Regressor(12.5f);
        var metadata = saved.Metadata.ToDictionary();
        metadata.Remove(key);

        var error = Assert.Throws<ModelFormatException>(() => TrainedModelFile.FromSaved(saved with { Metadata = metadata }, "m.bp"));

        Assert.Equal($"__metadata__.{key}", error.Field);
        Assert.Contains("is missing", error.Message);
    }

    [Fact]
    public void A_loaded_network_is_in_training_mode_as_a_freshly_built_one_is()
    {
        var network = new Sequential<float>(
            new Linear<float>(Tensor.FromArray([0.5f, -0.25f], 1, 2), Tensor.FromArray([0.1f], 1)), new Dropout<float>(0.5));
        var model = new TrainedModel(network, TaskKind.Regression, ["a", "b"], [2], null, null, targetMean: 40f, targetScale: 2f);

        var loaded = TrainedModelFile.FromSaved(TrainedModelFile.ToSaved(model), "m.bp");

        Assert.All(loaded.Network.Layers, layer => Assert.True(layer.Training));
    }
}
