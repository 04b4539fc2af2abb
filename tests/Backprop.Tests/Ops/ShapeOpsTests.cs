namespace Backprop.Tests.Ops;

public sealed class ShapeOpsTests
{
    [Theory]
    [InlineData(new[] { -1, 4 }, "[-1, 4]")]
    [InlineData(new[] { -1, -1 }, "only one dimension can be −1")]
    [InlineData(new[] { -2, -3 }, "[-2, -3]")]
    [InlineData(new[] { 0, -1 }, "[0, -1]")]
    public void A_reshape_that_cannot_be_done_names_the_shape_as_the_caller_wrote_it(int[] newShape, string expected)
    {
        var six = Tensor.Arange<double>(6).Reshape(2, 3);

        var error = Assert.Throws<ArgumentException>(() => six.Reshape(newShape));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void An_inferred_dimension_still_fills_in_and_an_empty_tensor_still_reshapes()
    {
        Assert.Equal(new[] { 3, 2 }, Tensor.Arange<double>(6).Reshape(-1, 2).Shape.ToArray());
        Assert.Equal(new[] { 0, 0 }, Tensor.Zeros<double>(0, 3).Reshape(0, -1).Shape.ToArray());
        Assert.Equal(new[] { 0, 3 }, Tensor.Zeros<double>(0, 3).Reshape(-1, 3).Shape.ToArray());
    }
}
