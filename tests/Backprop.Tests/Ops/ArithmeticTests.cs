namespace Backprop.Tests.Ops;

public sealed class ArithmeticTests
{
    [Fact]
    public void Maximum_sends_the_gradient_to_the_larger_halves_it_on_ties_and_gives_it_to_both_beside_a_NaN_as_torch_maximum_does()
    {
        // Values from torch.maximum(a, b).backward(ones): a.grad = [1, 0, 0.5, 1], b.grad = [0, 1, 0.5, 1].
        var a = Tensor.FromArray([3.0, 1, 2, double.NaN], 4).RequireGrad();
        var b = Tensor.FromArray([1.0, 3, 2, 5], 4).RequireGrad();

        Tensor<double>.Maximum(a, b).Sum().Backward();

        Assert.Equal(new[] { 1.0, 0, 0.5, 1 }, a.Grad!.ToArray());
        Assert.Equal(new[] { 0.0, 1, 0.5, 1 }, b.Grad!.ToArray());
    }

    [Fact]
    public void Maximum_against_a_broadcast_scalar_sums_the_tied_halves_into_it()
    {
        var x = Tensor.FromArray([0.0, -1, 2, 0], 4).RequireGrad();
        var floor = Tensor.Scalar(0.0).RequireGrad();

        Tensor<double>.Maximum(x, floor).Sum().Backward();

        Assert.Equal(new[] { 0.5, 0, 1, 0.5 }, x.Grad!.ToArray());
        Assert.Equal(2.0, floor.Grad!.Item()); // ½ + 1 + 0 + ½
    }
}
