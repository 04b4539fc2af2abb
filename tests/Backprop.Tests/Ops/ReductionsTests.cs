namespace Backprop.Tests.Ops;

public sealed class ReductionsTests
{
    [Theory]
    [InlineData(new[] { 1.0, 3, 3, 2 }, new[] { 0, 0.5, 0.5, 0 })]
    [InlineData(new[] { 5.0, 5, 5, 5 }, new[] { 0.25, 0.25, 0.25, 0.25 })]
    [InlineData(new[] { double.NaN, 1, double.NaN, 9 }, new[] { 0.5, 0, 0.5, 0 })]
    [InlineData(new[] { -1.0, 7, -2, 0 }, new[] { 0, 1.0, 0, 0 })]
    public void The_maximum_of_all_elements_shares_its_gradient_evenly_among_ties_as_pytorch_does(double[] values, double[] expected)
    {
        var x = Tensor.FromArray((double[])values.Clone(), 2, 2).RequireGrad();

        var max = x.Max();
        max.Backward();

        Assert.Equal(values.Any(double.IsNaN) ? double.NaN : values.Max(), max.Item());
        Assert.Equal(expected, x.Grad!.ToArray());
    }

    [Fact]
    public void The_maximum_along_an_axis_still_sends_each_gradient_to_the_first_maximum_as_pytorch_max_dim_does()
    {
        var x = Tensor.FromArray([3.0, 3, 1, 1], 2, 2).RequireGrad();

        x.Max(1).Sum().Backward();

        Assert.Equal(new[] { 1.0, 0, 1, 0 }, x.Grad!.ToArray());
    }

    [Fact]
    public void The_maximum_of_an_empty_tensor_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Tensor.Zeros<double>(0, 3).Max());
    }
}
