namespace Backprop.Tests.Tensors;

public sealed class TensorTests
{
    [Fact]
    public void Broadcasting_follows_numpy_rules()
    {
        var a = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var column = Tensor.FromArray(new double[] { 10, 20 }, 2, 1);
        var row = Tensor.From(new double[] { 100, 200, 300 });
        Assert.Equal(new double[] { 11, 12, 13, 24, 25, 26 }, (a + column).ToArray());
        Assert.Equal(new double[] { 101, 202, 303, 104, 205, 306 }, (a + row).ToArray());
        Assert.Equal(new[] { 2, 2, 3 }, (Tensor.Zeros<double>(2, 1, 3) * a).Shape.ToArray());
        Assert.Throws<ArgumentException>(() => a + Tensor.Zeros<double>(2));
    }

    [Fact]
    public void Reshape_and_row_slices_are_views_sharing_storage()
    {
        var a = Tensor.Arange<float>(6).Reshape(2, 3);
        var rows = a.Rows(1, 1);
        rows.Data[0] = 42;
        Assert.Equal(42f, a[1, 0]);
        Assert.Equal(new[] { 3, 2 }, a.Reshape(-1, 2).Shape.ToArray());
        Assert.Throws<ArgumentException>(() => a.Reshape(4, 2));
    }

    [Fact]
    public void Reductions_transpose_and_argmax_give_hand_computed_values()
    {
        var a = Tensor.FromArray(new double[] { 1, 5, 3, 4, 2, 6 }, 2, 3);
        Assert.Equal(new double[] { 5, 7, 9 }, a.Sum(0).ToArray());
        Assert.Equal(new double[] { 3, 4 }, a.Mean(1).ToArray());
        Assert.Equal(new double[] { 5, 6 }, a.Max(1).ToArray());
        Assert.Equal(new[] { 1, 2 }, a.Argmax(1));
        Assert.Equal(new double[] { 1, 4, 5, 2, 3, 6 }, a.Transpose().ToArray());
        Assert.Equal(21.0, a.Sum().Item());
        Assert.Equal(new double[] { 0, 1, 0, 0, 0, 1 }, a.GreaterThan(4.5).ToArray());
    }

    [Fact]
    public void Matmul_multiplies_matrices_and_batches()
    {
        var a = Tensor.FromArray(new double[] { 1, 2, 3, 4 }, 2, 2);
        var b = Tensor.FromArray(new double[] { 5, 6, 7, 8 }, 2, 2);
        Assert.Equal(new double[] { 19, 22, 43, 50 }, a.MatMul(b).ToArray());
        var batch = Tensor.FromArray(new double[] { 1, 2, 3, 4, 1, 0, 0, 1 }, 2, 2, 2);
        Assert.Equal(new double[] { 19, 22, 43, 50, 5, 6, 7, 8 }, batch.MatMul(b).ToArray());
    }

    [Fact]
    public void Seeded_random_tensors_repeat_and_respect_their_range()
    {
        var first = Tensor.Uniform(new Random(7), -1f, 1f, 1000);
        var second = Tensor.Uniform(new Random(7), -1f, 1f, 1000);
        Assert.Equal(first.ToArray(), second.ToArray());
        Assert.All(first.ToArray(), v => Assert.InRange(v, -1f, 1f));
        var normal = Tensor.Normal(new Random(3), 2.0, 0.5, 20000).ToArray();
        Assert.Equal(2.0, normal.Average(), 0.02);
    }

    [Fact]
    public void The_mean_of_no_values_is_nan_as_in_pytorch_while_their_sum_is_zero()
    {
        var empty = Tensor.Zeros<double>([0, 3]);
        Assert.True(double.IsNaN(empty.Mean().Item()));
        Assert.All(empty.Mean(0).ToArray(), value => Assert.True(double.IsNaN(value)));
        Assert.Equal(0.0, empty.Sum().Item());
        Assert.Empty(empty.Mean(1).ToArray());
    }
}
