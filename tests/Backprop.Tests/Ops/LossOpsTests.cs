using Backprop.Nn;

namespace Backprop.Tests.Ops;

public sealed class LossOpsTests
{
    [Fact]
    public void Every_mean_loss_of_an_empty_batch_is_NaN_not_a_perfect_zero()
    {
        var none = Tensor.Zeros<double>(0, 2);

        Assert.True(double.IsNaN(Loss.BinaryCrossEntropy(none, Tensor.Zeros<double>(0, 2)).Item()));
        Assert.True(double.IsNaN(Loss.Mse(none, Tensor.Zeros<double>(0, 2)).Item()));
        Assert.True(double.IsNaN(Loss.CrossEntropy(none, []).Item()));
    }
}
