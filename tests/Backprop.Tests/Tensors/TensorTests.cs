using Backprop.Nn;

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

    [Theory]
    [InlineData(new[] { 5 }, 0, 5, 3)]
    [InlineData(new[] { -1 }, 0, -1, 3)]
    public void An_index_out_of_bounds_names_the_dimension_its_size_and_the_shape(int[] index, int dimension, int value, int size)
    {
        var vector = Tensor.Zeros<float>(3);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => vector[index]);

        Assert.Equal("index", error.ParamName);
        Assert.StartsWith($"index {value} is out of bounds for dimension {dimension} with size {size} (shape [3])", error.Message);
    }

    [Fact]
    public void An_index_out_of_bounds_in_a_later_dimension_is_refused_on_writing_too()
    {
        var matrix = Tensor.Zeros<float>(2, 3);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => matrix[1, 3] = 1f);

        Assert.StartsWith("index 3 is out of bounds for dimension 1 with size 3 (shape [2, 3])", error.Message);
        Assert.All(matrix.ToArray(), value => Assert.Equal(0f, value));
    }

    [Fact]
    public void The_wrong_number_of_indices_names_the_shape()
    {
        var matrix = Tensor.Zeros<float>(2, 3);

        var error = Assert.Throws<ArgumentException>(() => matrix[1]);

        Assert.StartsWith("1 index given for a tensor of shape [2, 3], which takes 2", error.Message);
        Assert.Throws<ArgumentNullException>(() => matrix[null!]);
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

    [Fact]
    public void Float32_sums_of_millions_of_values_keep_their_small_addends()
    {
        // A running float32 sum of ten million 0.1s came to 1,087,937; PyTorch's cascade sum gives 999,999.44.
        var tenMillion = Tensor.Full(0.1f, 10_000_000);
        Assert.Equal(1e6, tenMillion.Sum().Item(), 1e6 * 1e-5);
        Assert.Equal(1e6, tenMillion.Reshape(10_000_000, 1).Sum(0)[0], 1e6 * 1e-5);
        Assert.Equal(0.1, tenMillion.Mean().Item(), 1e-6);

        var twoColumns = Tensor.Full(0.1f, 1_000_000, 2).Sum(0);
        Assert.Equal(1e5, twoColumns[0], 1e5 * 1e-5);
        Assert.Equal(1e5, twoColumns[1], 1e5 * 1e-5);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(40)]
    public void Sums_over_an_axis_match_a_plain_float64_sum(int rows)
    {
        var random = new Random(rows);
        var values = Enumerable.Range(0, 3 * rows * 5).Select(_ => random.NextDouble() - 0.5).ToArray();
        var sums = Tensor.FromArray(values, 3, rows, 5).Sum(1);
        for (int o = 0; o < 3; o++)
            for (int i = 0; i < 5; i++)
                Assert.Equal(Enumerable.Range(0, rows).Sum(s => values[(o * rows + s) * 5 + i]), sums[o, i], 1e-12);
    }

    [Fact]
    public void The_gradient_of_x_to_the_power_0_is_0_also_at_0()
    {
        var x = Tensor.From(new[] { 0.0, 2.0 }).RequireGrad();
        x.Pow(0).Sum().Backward();
        Assert.Equal(new[] { 0.0, 0.0 }, x.Grad!.ToArray()); // PyTorch: [0, 0]; the formula p·x^(p−1) gave NaN at 0
    }

    [Fact]
    public void Reductions_and_losses_over_nothing_say_what_they_were_given()
    {
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => Tensor.Zeros<float>(2, 0).Argmax(-1)).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => Tensor.Zeros<float>(2, 0).Max(1)).Message);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => Tensor.Scalar(1f).LogSoftmax()).Message);
        Assert.Contains("got []", Assert.Throws<ArgumentException>(() => Loss.CrossEntropy(Tensor.Scalar(1f), [0])).Message);
        Assert.Contains("[2, 0]", Assert.Throws<ArgumentException>(() => Loss.CrossEntropy(Tensor.Zeros<float>(2, 0), [0, 0])).Message);
    }

    [Theory]
    [InlineData(50_000, 50_000)]   // 2.5 billion: wrapped to a negative array length
    [InlineData(100_000, 100_000)] // 10 billion: wrapped to 1.4 billion, an 11 GB array, then refused
    public void A_tensor_of_more_elements_than_an_array_holds_is_refused_by_its_shape_before_anything_is_allocated(int rows, int columns)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<ArgumentException>(() => Tensor.Zeros<double>(rows, columns));

        Assert.Contains($"[{rows}, {columns}]", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);
    }

    [Fact]
    public void A_negative_dimension_is_refused_naming_the_whole_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.Zeros<double>(3, -2));

        Assert.Contains("[3, -2]", error.Message);
    }

    [Fact]
    public void An_empty_shape_makes_a_scalar_of_one_value_as_in_pytorch()
    {
        var scalar = Tensor.FromArray(new[] { 5.0 }, []);

        Assert.Equal(0, scalar.Rank);
        Assert.Equal(5.0, scalar.Item());
    }

    [Fact]
    public void An_empty_shape_refuses_more_than_one_value_naming_the_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.FromArray(new[] { 1.0, 2, 3 }, []));

        Assert.Contains("shape []", error.Message);
    }

    [Fact]
    public void An_array_without_a_shape_is_still_wrapped_as_a_vector()
    {
        var values = new[] { 1.0, 2, 3 };

        var vector = Tensor.FromArray(values);

        Assert.Equal(new[] { 3 }, vector.Shape.ToArray());
        values[0] = 7;
        Assert.Equal(7.0, vector[0]);
    }

    [Fact]
    public void A_null_row_is_refused_naming_the_row_and_the_parameter()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.FromRows(new[] { new[] { 1.0, 2 }, null!, new[] { 3.0, 4 } }));

        Assert.Equal("rows", error.ParamName);
        Assert.StartsWith("row 1 of 3 is null", error.Message);
    }

    [Theory]
    [InlineData(1f, 0f)]
    [InlineData(0f, float.NaN)]
    [InlineData(float.NegativeInfinity, 0f)]
    public void Uniform_refuses_a_range_whose_low_is_not_below_its_high(float low, float high)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Uniform(new Random(0), low, high, 3));

        Assert.Contains($"got low {low}, high {high}", error.Message);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void Normal_refuses_a_negative_or_nan_standard_deviation(double standardDeviation)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Normal(new Random(0), 0.0, standardDeviation, 3));

        Assert.Equal("standardDeviation", error.ParamName);
    }
}
