namespace Backprop.Tests.Ops;

/// <summary>Max and average pooling against finite differences and hand-worked windows.</summary>
public sealed class PoolingTests
{
    private const double Tolerance = 1e-6;

    [Theory]
    [InlineData(1, 1, 4, 4, 2, 2)]
    [InlineData(2, 3, 6, 5, 2, 2)]
    [InlineData(2, 2, 7, 5, 3, 2)]  // overlapping windows, leftover rows and columns
    [InlineData(1, 2, 5, 6, 2, 1)]  // overlapping windows
    [InlineData(2, 1, 5, 3, 1, 2)]  // kernel 1 skips pixels
    [InlineData(1, 2, 3, 7, 3, 3)]
    public void Pooling_gradients_match_finite_differences(int batch, int channels, int height, int width, int kernel, int stride)
    {
        // Distinct values at least 0.03 apart, so the finite-difference step never changes which one is a window's maximum.
        var random = new Random(batch * 100 + height * 10 + kernel);
        var order = Enumerable.Range(0, batch * channels * height * width).OrderBy(_ => random.Next()).ToArray();
        var input = Tensor.FromArray(order.Select(i => 0.03 * i - 1.0).ToArray(), batch, channels, height, width);
        Assert.True(FiniteDifferences.MaxRelativeError(() => FiniteDifferences.Weighted(input.MaxPool2d(kernel, stride), new Random(1)), input) < Tolerance);
        Assert.True(FiniteDifferences.MaxRelativeError(() => FiniteDifferences.Weighted(input.AvgPool2d(kernel, stride), new Random(2)), input) < Tolerance);
    }

    [Fact]
    public void Max_pool_of_a_3x3_image_matches_hand_computation()
    {
        var input = Tensor.FromArray(new[] { 1.0, 5, 2, 4, 3, 9, 7, 8, 6 }, 1, 1, 3, 3).RequireGrad();
        var output = input.MaxPool2d(2, 1); // windows {1,5,4,3}, {5,2,3,9}, {4,3,7,8}, {3,9,8,6}
        output.Backward(Tensor.FromArray(new[] { 1.0, 10, 100, 1000 }, 1, 1, 2, 2));
        Assert.Equal(new[] { 5.0, 9, 8, 9 }, output.ToArray());
        // 5 wins one window, 8 one, 9 two (their gradients add up)
        Assert.Equal(new[] { 0.0, 1, 0, 0, 0, 1010, 0, 100, 0 }, input.Grad!.ToArray());
    }

    [Fact]
    public void Max_pool_sends_a_tied_window_gradient_to_its_first_maximum()
    {
        var input = Tensor.FromArray(new[] { 2.0, 3, 3, 3, 1, 3, 3, 2 }, 1, 1, 2, 4).RequireGrad();
        var output = input.MaxPool2d(2, 2); // windows {2,3 / 1,3} and {3,3 / 3,2}
        output.Sum().Backward();
        Assert.Equal(new[] { 3.0, 3 }, output.ToArray());
        Assert.Equal(new[] { 0.0, 1, 1, 0, 0, 0, 0, 0 }, input.Grad!.ToArray());
    }

    [Fact]
    public void Max_pool_passes_a_nan_on_and_sends_its_gradient_to_the_last_nan_as_pytorch_does()
    {
        // torch 1.13 max_pool2d: [[nan, 1], [nan, 2]] -> nan, gradient [[0, 0], [1, 0]];
        // [[1, nan], [3, nan]] -> nan, gradient [[0, 0], [0, 1]] (a NaN replaces the maximum each time it is met).
        var input = Tensor.FromArray(new[] { double.NaN, 1, 1, double.NaN, double.NaN, 2, 3, double.NaN }, 1, 1, 2, 4).RequireGrad();
        var output = input.MaxPool2d(2, 2);
        output.Backward(Tensor.FromArray(new[] { 1.0, 1 }, 1, 1, 1, 2));
        Assert.All(output.ToArray(), value => Assert.True(double.IsNaN(value)));
        Assert.Equal(new[] { 0.0, 0, 0, 0, 1, 0, 0, 1 }, input.Grad!.ToArray());
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 2)]  // overlapping: one input can win two windows
    [InlineData(2, 3)]  // gaps between windows, which get no gradient
    public void Max_pool_backward_writes_a_fresh_gradient_outright_and_adds_into_an_existing_one(int kernel, int stride)
    {
        const int planes = 3, height = 7, width = 8;
        var random = new Random(kernel * 10 + stride);
        var x = Enumerable.Range(0, planes * height * width).Select(_ => (float)random.Next(-3, 4)).ToArray(); // ties
        int outHeight = (height - kernel) / stride + 1, outWidth = (width - kernel) / stride + 1, outputs = planes * outHeight * outWidth;
        var y = new float[outputs];
        var argmax = new int[outputs];
        Backprop.Kernels.PoolingKernels.MaxForward<float>(x, y, argmax, planes, height, width, kernel, stride);
        var dy = Enumerable.Range(0, outputs).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var expected = new float[x.Length];
        for (int o = 0; o < outputs; o++) expected[argmax[o]] += dy[o];

        var fresh = Enumerable.Repeat(float.NaN, x.Length).ToArray(); // whatever was there before must not show
        Backprop.Kernels.PoolingKernels.MaxBackward<float>(dy, argmax, fresh, accumulate: false, planes, height * width, outHeight * outWidth);
        Assert.Equal(expected, fresh);

        var existing = Enumerable.Range(0, x.Length).Select(i => (float)i).ToArray();
        Backprop.Kernels.PoolingKernels.MaxBackward<float>(dy, argmax, existing, accumulate: true, planes, height * width, outHeight * outWidth);
        Assert.Equal(Enumerable.Range(0, x.Length).Select(i => i + expected[i]), existing);
    }

    [Fact]
    public void Max_pool_gradients_add_up_when_one_input_is_pooled_twice()
    {
        var values = Enumerable.Range(0, 2 * 6 * 6).Select(i => Math.Sin(i * 1.7)).ToArray();
        var shared = Tensor.FromArray(values, 1, 2, 6, 6).RequireGrad();
        (shared.MaxPool2d(2, 2).Sum() + shared.MaxPool2d(3, 1).Sum()).Backward();
        var apart = new double[values.Length];
        foreach (var (kernel, stride) in new[] { (2, 2), (3, 1) })
        {
            var alone = Tensor.FromArray(values, 1, 2, 6, 6).RequireGrad();
            alone.MaxPool2d(kernel, stride).Sum().Backward();
            for (int i = 0; i < apart.Length; i++) apart[i] += alone.Grad!.Data[i];
        }
        Assert.Equal(apart, shared.Grad!.ToArray());
    }

    [Fact]
    public void Vectorised_float_2x2_max_pool_picks_the_same_winners_as_the_scalar_loop()
    {
        // Float 2×2/2 pooling runs four windows at a time; doubles take the scalar loop. Few distinct values make
        // ties common, and NaNs (some windows holding several) test the order in which candidates are taken.
        var random = new Random(5);
        for (int height = 2; height <= 5; height++)
        for (int width = 2; width <= 21; width++)
        {
            const int planes = 3;
            int outHeight = height / 2, outWidth = width / 2;
            var values = new double[planes * height * width];
            for (int i = 0; i < values.Length; i++)
                values[i] = random.Next(10) == 0 ? double.NaN : random.Next(4);
            float[] floats = values.Select(v => (float)v).ToArray();
            var yFloat = new float[planes * outHeight * outWidth];
            var yDouble = new double[yFloat.Length];
            int[] argFloat = new int[yFloat.Length], argDouble = new int[yFloat.Length];
            Backprop.Kernels.PoolingKernels.MaxForward<float>(floats, yFloat, argFloat, planes, height, width, 2, 2);
            Backprop.Kernels.PoolingKernels.MaxForward<double>(values, yDouble, argDouble, planes, height, width, 2, 2);
            Assert.Equal(argDouble, argFloat);
            Assert.Equal(yDouble.Select(v => (float)v), yFloat);
        }
    }

    [Fact]
    public void Avg_pool_of_a_3x3_image_matches_hand_computation()
    {
        var input = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6, 7, 8, 9 }, 1, 1, 3, 3).RequireGrad();
        var output = input.AvgPool2d(2, 1); // (1+2+4+5)/4 = 3, then 4, 6, 7
        output.Backward(Tensor.FromArray(new[] { 4.0, 8, 12, 16 }, 1, 1, 2, 2));
        Assert.Equal(new[] { 3.0, 4, 6, 7 }, output.ToArray());
        // each pixel gets a quarter of every window it lies in: the centre lies in all four
        Assert.Equal(new[] { 1.0, 3, 2, 4, 10, 6, 3, 7, 4 }, input.Grad!.ToArray());
    }

    [Fact]
    public void Pooling_floors_the_output_size_and_works_in_float()
    {
        var input = Tensor.FromArray(Enumerable.Range(0, 2 * 7 * 5).Select(i => (float)i).ToArray(), 1, 2, 7, 5);
        var max = input.MaxPool2d(3, 2);
        var average = input.AvgPool2d(3, 2);
        Assert.Equal(new[] { 1, 2, 3, 2 }, max.Shape.ToArray());
        Assert.Equal(new[] { 1, 2, 3, 2 }, average.Shape.ToArray());
        Assert.Equal(12f, max[0, 0, 0, 0]);      // bottom-right of rows 0–2, columns 0–2: 2·5 + 2
        Assert.Equal(6f, average[0, 0, 0, 0]);   // the centre pixel 1·5 + 1, by symmetry
        Assert.Equal(35f + 34f, max[0, 1, 2, 1]); // plane 1 starts at 35; rows 4–6, columns 2–4 end at 6·5 + 4
    }

    [Theory]
    [InlineData(new[] { 1, 4, 4 }, 2, 2, "[1, 4, 4]")]
    [InlineData(new[] { 1, 1, 4, 4 }, 0, 1, "[1, 1, 4, 4]")]
    [InlineData(new[] { 1, 1, 4, 4 }, 2, 0, "[1, 1, 4, 4]")]
    [InlineData(new[] { 1, 1, 2, 4 }, 3, 1, "[1, 1, 2, 4]")]
    public void Pooling_rejects_bad_shapes_and_names_them(int[] shape, int kernel, int stride, string named)
    {
        var input = Tensor.Zeros<double>(shape);
        Assert.Contains(named, Assert.Throws<ArgumentException>(() => input.MaxPool2d(kernel, stride)).Message);
        Assert.Contains(named, Assert.Throws<ArgumentException>(() => input.AvgPool2d(kernel, stride)).Message);
    }

    [Fact]
    public void A_second_backward_through_max_pool_leaves_later_max_pools_their_own_winners()
    {
        // The winners' indices were once handed back to a shared pool after each backward: twice after two, so that the
        // next two max-pools were lent one array, and one of them sent its gradient to the other's winners.
        var first = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (double)(i * 7 % 16)).ToArray(), 1, 1, 4, 4).RequireGrad();
        var loss = first.MaxPool2d(2, 2).Sum();
        loss.Backward();
        loss.Backward();

        var corners = new double[16];
        corners[0] = corners[2] = corners[8] = corners[10] = 9;
        var others = new double[16];
        others[5] = others[7] = others[13] = others[15] = 9;
        var x1 = Tensor.FromArray(corners, 1, 1, 4, 4).RequireGrad();
        var x2 = Tensor.FromArray(others, 1, 1, 4, 4).RequireGrad();
        var y1 = x1.MaxPool2d(2, 2);
        var y2 = x2.MaxPool2d(2, 2);
        y1.Sum().Backward();
        y2.Sum().Backward();

        Assert.Equal(corners.Select(v => v / 9).ToArray(), x1.Grad!.ToArray());
        Assert.Equal(others.Select(v => v / 9).ToArray(), x2.Grad!.ToArray());
        Assert.Equal(8.0, first.Grad!.ToArray().Sum()); // 4 windows, 2 passes
    }
}
