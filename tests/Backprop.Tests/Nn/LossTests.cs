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
}
