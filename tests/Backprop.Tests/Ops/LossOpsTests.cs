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

    [Fact]
    public void Softmax_gives_each_row_pytorchs_probabilities_and_gradient_even_at_plus_minus_1000()
    {
        var x = Tensor.FromArray([1.0, 2, 3, 1000, -1000, 0], 2, 3).RequireGrad();

        var probabilities = x.Softmax();
        (probabilities * Tensor.FromArray([1.0, 2, 3, 1, 2, 3], 2, 3)).Sum().Backward();

        // torch.softmax(x, dim=-1) and its gradient, float64
        double[] expected = [0.09003057317038045, 0.2447284710547976, 0.6652409557748218, 1, 0, 0];
        double[] expectedGrad = [-0.1418170936098121, -0.14077035746962996, 0.28258745107944266, 0, 0, 0];
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(expected[i], probabilities.Data[i], 1e-15);
            Assert.Equal(expectedGrad[i], x.Grad!.Data[i], 1e-15);
        }
    }
}
