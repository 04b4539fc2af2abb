using Backprop.Nn;

namespace Backprop.Tests.Nn;

public sealed class LossTests
{
    [Theory]
    [InlineData("mse")]
    [InlineData("squared_error")]
    public void A_regression_loss_refuses_a_target_whose_shape_would_broadcast_against_the_prediction(string name)
    {
        var prediction = Tensor.FromArray([1.0, 2, 3], 3, 1).RequireGrad(); // a [batch, 1] network output
        var target = Tensor.FromArray([1.0, 2, 3], 3);                      // the targets as a [batch] vector

        var error = Assert.Throws<ArgumentException>(() =>
            name == "mse" ? Loss.Mse(prediction, target) : Loss.SquaredError(prediction, target));

        Assert.Contains("[3]", error.Message);
        Assert.Contains("[3, 1]", error.Message);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(-0.25)]
    public void Cross_entropy_through_Compute_refuses_a_target_that_is_not_a_whole_class_index(double badTarget)
    {
        var logits = Tensor.FromArray([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], 2, 3);
        var targets = Tensor.FromArray([0.0, badTarget], 2);

        var error = Assert.Throws<ArgumentException>(() => Loss.Compute(LossKind.CrossEntropy, logits, targets));

        Assert.Contains("target 1", error.Message);
    }

    [Fact]
    public void Cross_entropy_through_Compute_reads_whole_number_targets_as_class_indices()
    {
        var logits = Tensor.FromArray([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], 2, 3);

        var viaCompute = Loss.Compute(LossKind.CrossEntropy, logits, Tensor.FromArray([2.0, 0.0], 2));

        Assert.Equal(Loss.CrossEntropy(logits, [2, 0]).Item(), viaCompute.Item());
    }

    [Fact]
    public void Naming_an_undefined_loss_says_the_value_is_not_a_loss() =>
        Assert.Equal("kind", Assert.Throws<ArgumentOutOfRangeException>(() => ((LossKind)99).Name()).ParamName);
}
