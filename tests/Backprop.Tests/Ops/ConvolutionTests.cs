using Backprop.Kernels;
using FsCheck.Xunit;

namespace Backprop.Tests.Ops;

/// <summary>Conv2d against finite differences, a direct-loop convolution, hand-worked values and its own float64 path.</summary>
public sealed class ConvolutionTests
{
    private const double Tolerance = 1e-6;

    [Theory]
    [InlineData(1, 1, 1, 3, 3, 2, 1, 0, true)]
    [InlineData(2, 3, 4, 6, 5, 3, 2, 1, true)]
    [InlineData(2, 2, 3, 5, 7, 2, 1, 2, false)]
    [InlineData(1, 2, 3, 4, 5, 1, 2, 0, true)]
    [InlineData(2, 3, 2, 7, 4, 3, 1, 1, true)]
    [InlineData(1, 2, 2, 5, 6, 3, 2, 2, false)]
    [InlineData(3, 1, 2, 4, 4, 2, 2, 0, true)]
    [InlineData(2, 2, 2, 3, 8, 1, 1, 2, true)]
    public void Conv2d_gradients_match_finite_differences(int batch, int inChannels, int outChannels, int height, int width,
        int kernel, int stride, int padding, bool withBias)
    {
        var random = new Random(batch * 1000 + inChannels * 100 + height * 10 + kernel);
        var input = RandomShapes.Values(random, [batch, inChannels, height, width]);
        var weight = RandomShapes.Values(random, [outChannels, inChannels, kernel, kernel]);
        var bias = RandomShapes.Values(random, [outChannels]);
        Tensor<double> Loss() => FiniteDifferences.Weighted(
            Tensor<double>.Conv2d(input, weight, withBias ? bias : null, stride, padding), new Random(7));
        double error = withBias ? FiniteDifferences.MaxRelativeError(Loss, input, weight, bias) : FiniteDifferences.MaxRelativeError(Loss, input, weight);
        Assert.True(error < Tolerance, $"max relative error {error}");
    }

    [Fact]
    public void Conv2d_sends_gradients_only_to_the_inputs_that_require_them()
    {
        var random = new Random(3);
        var input = RandomShapes.Values(random, [2, 2, 5, 4]);
        var weight = RandomShapes.Values(random, [3, 2, 3, 3]);
        var bias = RandomShapes.Values(random, [3]);
        Tensor<double> Loss() => FiniteDifferences.Weighted(Tensor<double>.Conv2d(input, weight, bias, 2, 1), new Random(5));
        Assert.True(FiniteDifferences.MaxRelativeError(Loss, weight) < Tolerance);
        Assert.Null(input.Grad);
        weight.RequiresGrad = false;
        weight.Grad = null;
        Assert.True(FiniteDifferences.MaxRelativeError(Loss, input) < Tolerance);
        Assert.Null(weight.Grad);
        Assert.Null(bias.Grad);
    }

    [Fact]
    public void A_batch_too_large_for_one_group_gives_what_each_image_gives_alone()
    {
        // 9 × 256² columns per image: the convolution takes the batch of 8 one image at a time, and sums the
        // weight gradient in four lanes of two images; one image alone is one group in one lane.
        var random = new Random(29);
        var input = RandomShapes.Values(random, [8, 1, 256, 256]).RequireGrad();
        var weight = RandomShapes.Values(random, [2, 1, 3, 3]).RequireGrad();
        var bias = RandomShapes.Values(random, [2]).RequireGrad();
        var upstream = RandomShapes.Values(random, [8, 2, 256, 256]);
        Tensor<double>.Conv2d(input, weight, bias, 1, 1).Backward(upstream);

        var weightSum = new double[weight.Length];
        var biasSum = new double[bias.Length];
        for (int image = 0; image < 8; image++)
        {
            var one = Tensor.FromArray(input.Data.Slice(image * 65536, 65536).ToArray(), 1, 1, 256, 256).RequireGrad();
            var w = weight.Clone().RequireGrad();
            var b = bias.Clone().RequireGrad();
            var output = Tensor<double>.Conv2d(one, w, b, 1, 1);
            output.Backward(Tensor.FromArray(upstream.Data.Slice(image * 2 * 65536, 2 * 65536).ToArray(), 1, 2, 256, 256));
            for (int i = 0; i < weightSum.Length; i++) weightSum[i] += w.Grad!.Data[i];
            for (int i = 0; i < biasSum.Length; i++) biasSum[i] += b.Grad!.Data[i];
            for (int i = 0; i < 65536; i += 997)
                Assert.Equal(one.Grad!.Data[i], input.Grad!.Data[image * 65536 + i], 1e-12);
        }
        for (int i = 0; i < weightSum.Length; i++) Assert.Equal(weightSum[i], weight.Grad!.Data[i], 1e-9 * Math.Max(1, Math.Abs(weightSum[i])));
        for (int i = 0; i < biasSum.Length; i++) Assert.Equal(biasSum[i], bias.Grad!.Data[i], 1e-9 * Math.Max(1, Math.Abs(biasSum[i])));
    }

    [Property(MaxTest = 40)]
    public void Conv2d_equals_the_direct_convolution_loop(int seed)
    {
        var random = new Random(seed);
        int kernel = random.Next(1, 4), stride = random.Next(1, 4), padding = random.Next(0, 4);
        int height = random.Next(Math.Max(1, kernel - 2 * padding), 8), width = random.Next(Math.Max(1, kernel - 2 * padding), 8);
        var input = RandomShapes.Values(random, [random.Next(1, 3), random.Next(1, 4), height, width]);
        var weight = RandomShapes.Values(random, [random.Next(1, 4), input.Dim(1), kernel, kernel]);
        var bias = RandomShapes.Values(random, [weight.Dim(0)]);
        var expected = DirectConvolution(input, weight, bias, stride, padding);
        var actual = Tensor<double>.Conv2d(input, weight, bias, stride, padding);
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected.Data[i], actual.Data[i], 1e-12);
    }

    [Fact]
    public void Gather_equals_the_plain_definition_and_ScatterAdd_is_its_adjoint_for_every_small_geometry()
    {
        // Every image side 1–5, kernel 1–4, stride 1–4, padding 0–3: this covers kernels wider than the image,
        // strides past the kernel, and padding wider than the kernel, where the inside-range arithmetic is delicate.
        var random = new Random(17);
        for (int height = 1; height <= 5; height++)
            for (int width = 1; width <= 5; width++)
                for (int kernel = 1; kernel <= 4; kernel++)
                    for (int stride = 1; stride <= 4; stride++)
                        for (int padding = 0; padding <= 3; padding++)
                        {
                            var g = new Im2Col.Geometry(2, height, width, kernel, stride, padding);
                            if (height + 2 * padding >= kernel && width + 2 * padding >= kernel) CheckGatherAndScatter(g, random);
                        }
    }

    [Fact]
    public void Float_gather_and_scatter_handle_rows_of_every_width_exactly()
    {
        // Stride-1 rows are copied as 8-float vectors, the last one overlapping: widths 1–20 cover rows shorter
        // than one vector, whole vectors and every remainder.
        var random = new Random(23);
        for (int width = 1; width <= 20; width++)
        for (int kernel = 1; kernel <= 3; kernel++)
        for (int padding = 0; padding <= 2; padding++)
        {
            var g = new Im2Col.Geometry(2, 3, width, kernel, 1, padding);
            if (3 + 2 * padding < kernel || width + 2 * padding < kernel) continue;
            float[] image = Enumerable.Range(0, g.ImageSize).Select(_ => (float)random.NextDouble()).ToArray();
            var columns = new float[g.Rows * g.Positions];
            columns.AsSpan().Fill(float.NaN);
            Im2Col.Gather<float>(image, g, columns, g.Positions, 0);
            for (int c = 0; c < g.Channels; c++)
            for (int i = 0; i < kernel; i++)
            for (int j = 0; j < kernel; j++)
            for (int oh = 0; oh < g.OutHeight; oh++)
            for (int ow = 0; ow < g.OutWidth; ow++)
            {
                int h = oh - padding + i, w = ow - padding + j;
                float expected = h >= 0 && h < 3 && w >= 0 && w < width ? image[(c * 3 + h) * width + w] : 0;
                Assert.True(expected == columns[((c * kernel + i) * kernel + j) * g.Positions + oh * g.OutWidth + ow], $"gather differs for {g}");
            }

            // ScatterAdd sends each column entry back onto its pixel (adds run as vectors too): small integers keep the sums exact.
            float[] upstream = Enumerable.Range(0, columns.Length).Select(_ => (float)random.Next(8)).ToArray();
            float[] scattered = Enumerable.Range(0, g.ImageSize).Select(_ => (float)random.Next(8)).ToArray();
            float[] expectedScatter = (float[])scattered.Clone();
            for (int c = 0; c < g.Channels; c++)
            for (int i = 0; i < kernel; i++)
            for (int j = 0; j < kernel; j++)
            for (int oh = 0; oh < g.OutHeight; oh++)
            for (int ow = 0; ow < g.OutWidth; ow++)
            {
                int h = oh - padding + i, w = ow - padding + j;
                if (h >= 0 && h < 3 && w >= 0 && w < width)
                    expectedScatter[(c * 3 + h) * width + w] += upstream[((c * kernel + i) * kernel + j) * g.Positions + oh * g.OutWidth + ow];
            }
            Im2Col.ScatterAdd<float>(upstream, g, g.Positions, 0, scattered);
            Assert.Equal(expectedScatter, scattered);
        }
    }

    // Two images side by side, as the convolution lays out a group.
    private static void CheckGatherAndScatter(Im2Col.Geometry g, Random random)
    {
        int rowStride = 2 * g.Positions;
        var images = RandomShapes.Values(random, [2 * g.ImageSize]).ToArray();
        var columns = new double[g.Rows * rowStride];
        columns.AsSpan().Fill(double.NaN); // every entry, padding included, must be written
        for (int image = 0; image < 2; image++)
            Im2Col.Gather<double>(images.AsSpan(image * g.ImageSize, g.ImageSize), g, columns, rowStride, image * g.Positions);
        for (int image = 0; image < 2; image++)
        for (int c = 0; c < g.Channels; c++)
        for (int i = 0; i < g.Kernel; i++)
        for (int j = 0; j < g.Kernel; j++)
        for (int oh = 0; oh < g.OutHeight; oh++)
        for (int ow = 0; ow < g.OutWidth; ow++)
        {
            int h = oh * g.Stride - g.Padding + i, w = ow * g.Stride - g.Padding + j;
            double expected = h >= 0 && h < g.Height && w >= 0 && w < g.Width ? images[image * g.ImageSize + (c * g.Height + h) * g.Width + w] : 0;
            double actual = columns[((c * g.Kernel + i) * g.Kernel + j) * rowStride + image * g.Positions + oh * g.OutWidth + ow];
            Assert.True(expected == actual, $"gather differs for {g} at image {image}, c {c}, i {i}, j {j}, oh {oh}, ow {ow}");
        }

        // ⟨Gather(x), c⟩ = ⟨x, ScatterAdd(c)⟩ for all x, c is what makes ScatterAdd the correct backward of Gather.
        var upstream = RandomShapes.Values(random, [columns.Length]).ToArray();
        var scattered = new double[images.Length];
        for (int image = 0; image < 2; image++)
            Im2Col.ScatterAdd<double>(upstream, g, rowStride, image * g.Positions, scattered.AsSpan(image * g.ImageSize, g.ImageSize));
        double left = columns.Zip(upstream, (a, b) => a * b).Sum(), right = images.Zip(scattered, (a, b) => a * b).Sum();
        Assert.True(Math.Abs(left - right) < 1e-10, $"scatter is not the adjoint of gather for {g}");
    }

    [Fact]
    public void Conv2d_of_a_3x3_image_with_a_2x2_kernel_matches_hand_computation()
    {
        var input = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6, 7, 8, 9 }, 1, 1, 3, 3).RequireGrad();
        var weight = Tensor.FromArray(new[] { 1.0, 2, 3, 4 }, 1, 1, 2, 2).RequireGrad();
        var bias = Tensor.From(new[] { 0.5 }).RequireGrad();
        var output = Tensor<double>.Conv2d(input, weight, bias);
        output.Sum().Backward();
        // top-left window 1·1 + 2·2 + 4·3 + 5·4 = 37, then 47, 67, 77; each + 0.5
        Assert.Equal(new[] { 1, 1, 2, 2 }, output.Shape.ToArray());
        Assert.Equal(new[] { 37.5, 47.5, 67.5, 77.5 }, output.ToArray());
        // ∂/∂w[a,b] = Σ of the pixels that w[a,b] meets: the 2×2 block starting at (a, b)
        Assert.Equal(new[] { 12.0, 16, 24, 28 }, weight.Grad!.ToArray());
        // ∂/∂x = Σ of the kernel entries that cover each pixel
        Assert.Equal(new[] { 1.0, 3, 2, 4, 10, 6, 3, 7, 4 }, input.Grad!.ToArray());
        Assert.Equal(new[] { 4.0 }, bias.Grad!.ToArray());
    }

    [Fact]
    public void Conv2d_with_padding_and_stride_matches_hand_computation()
    {
        // Padded to 4×4, a 2×2 kernel at stride 2 meets exactly one pixel per window, each at a different kernel entry.
        var input = Tensor.FromArray(new[] { 1.0, 2, 3, 4 }, 1, 1, 2, 2).RequireGrad();
        var weight = Tensor.FromArray(new[] { 10.0, 20, 30, 40 }, 1, 1, 2, 2).RequireGrad();
        var output = Tensor<double>.Conv2d(input, weight, null, stride: 2, padding: 1);
        output.Sum().Backward();
        Assert.Equal(new[] { 40.0, 60, 60, 40 }, output.ToArray()); // 1·w11, 2·w10, 3·w01, 4·w00
        Assert.Equal(new[] { 4.0, 3, 2, 1 }, weight.Grad!.ToArray());
        Assert.Equal(new[] { 40.0, 30, 20, 10 }, input.Grad!.ToArray());
    }

    [Fact]
    public void Float_conv2d_agrees_with_double()
    {
        // Large enough that both GEMM paths (direct and packed) run in each precision.
        var random = new Random(11);
        var input = RandomShapes.Values(random, [2, 8, 12, 11], -1, 1);
        var weight = RandomShapes.Values(random, [16, 8, 3, 3], -1, 1);
        var bias = RandomShapes.Values(random, [16], -1, 1);
        var upstream = RandomShapes.Values(random, [2, 16, 6, 6], -1, 1);
        var doubles = new[] { input, weight, bias }.Select(t => t.Clone().RequireGrad()).ToArray();
        var floats = doubles.Select(ToFloat).ToArray();
        var doubleOutput = Tensor<double>.Conv2d(doubles[0], doubles[1], doubles[2], 2, 1);
        var floatOutput = Tensor<float>.Conv2d(floats[0], floats[1], floats[2], 2, 1);
        doubleOutput.Backward(upstream);
        floatOutput.Backward(ToFloat(upstream));
        AssertClose(doubleOutput.Data, floatOutput.ToDoubleArray());
        for (int i = 0; i < 3; i++) AssertClose(doubles[i].Grad!.Data, floats[i].Grad!.ToDoubleArray());
    }

    [Theory]
    [InlineData(new[] { 1, 1, 3 }, new[] { 1, 1, 2, 2 }, 1, 1, 0, "[1, 1, 3]")]          // input not 4-D
    [InlineData(new[] { 1, 1, 3, 3 }, new[] { 1, 1, 2 }, 1, 1, 0, "[1, 1, 2]")]          // weight not 4-D
    [InlineData(new[] { 1, 2, 3, 3 }, new[] { 1, 3, 2, 2 }, 1, 1, 0, "[1, 3, 2, 2]")]    // channel mismatch
    [InlineData(new[] { 1, 1, 3, 3 }, new[] { 1, 1, 2, 3 }, 1, 1, 0, "[1, 1, 2, 3]")]    // not square
    [InlineData(new[] { 1, 1, 3, 3 }, new[] { 1, 1, 0, 0 }, 1, 1, 0, "[1, 1, 0, 0]")]    // kernel 0
    [InlineData(new[] { 1, 1, 3, 3 }, new[] { 2, 1, 2, 2 }, 3, 1, 0, "[3]")]             // bias size
    [InlineData(new[] { 1, 1, 3, 3 }, new[] { 1, 1, 2, 2 }, 1, 0, 0, "[1, 1, 3, 3]")]    // stride 0
    [InlineData(new[] { 1, 1, 3, 3 }, new[] { 1, 1, 2, 2 }, 1, 1, -1, "[1, 1, 3, 3]")]   // negative padding
    [InlineData(new[] { 1, 1, 2, 5 }, new[] { 1, 1, 3, 3 }, 1, 2, 0, "[1, 1, 2, 5]")]    // Ho would be 0
    public void Conv2d_rejects_bad_shapes_and_names_them(int[] inputShape, int[] weightShape, int biasSize, int stride, int padding, string named)
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor<double>.Conv2d(
            Tensor.Zeros<double>(inputShape), Tensor.Zeros<double>(weightShape), Tensor.Zeros<double>(biasSize), stride, padding));
        Assert.Contains(named, error.Message);
    }

    private static Tensor<float> ToFloat(Tensor<double> tensor) =>
        Tensor.FromArray(tensor.ToArray().Select(v => (float)v).ToArray(), tensor.Shape.ToArray()).RequireGrad();

    private static void AssertClose(ReadOnlySpan<double> expected, double[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"[{i}]: {expected[i]} vs {actual[i]}");
    }

    /// <summary>The definition, one multiply-add at a time.</summary>
    private static Tensor<double> DirectConvolution(Tensor<double> input, Tensor<double> weight, Tensor<double> bias, int stride, int padding)
    {
        int batch = input.Dim(0), inChannels = input.Dim(1), height = input.Dim(2), width = input.Dim(3);
        int outChannels = weight.Dim(0), kernel = weight.Dim(2);
        int outHeight = (height + 2 * padding - kernel) / stride + 1, outWidth = (width + 2 * padding - kernel) / stride + 1;
        var output = Tensor.Zeros<double>(batch, outChannels, outHeight, outWidth);
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < outChannels; o++)
                for (int oy = 0; oy < outHeight; oy++)
                    for (int ox = 0; ox < outWidth; ox++)
                    {
                        double sum = bias[o];
                        for (int c = 0; c < inChannels; c++)
                            for (int ky = 0; ky < kernel; ky++)
                                for (int kx = 0; kx < kernel; kx++)
                                {
                                    int iy = oy * stride - padding + ky, ix = ox * stride - padding + kx;
                                    if (iy >= 0 && iy < height && ix >= 0 && ix < width) sum += input[n, c, iy, ix] * weight[o, c, ky, kx];
                                }
                        output[n, o, oy, ox] = sum;
                    }
        return output;
    }

    [Fact]
    public void A_convolution_whose_unfolded_image_outgrows_an_array_is_refused_by_its_shapes_not_failed_inside_the_kernel()
    {
        // One pixel padded by 523 to 1047 × 1047 under a 1000 × 1000 kernel: 48 × 48 positions of 10⁶ values each, 2.3
        // billion in all, while input, weight and output are small. In int the size wrapped negative inside ArrayPool.
        var input = Tensor.Ones<float>(1, 1, 1, 1);
        var weight = Tensor.Zeros<float>(1, 1, 1000, 1000);

        var error = Assert.Throws<ArgumentException>(() => Tensor<float>.Conv2d(input, weight, null, stride: 1, padding: 523));

        Assert.Contains("1,000,000 × 2,304", error.Message);
    }

    [Fact]
    public void A_padding_so_large_that_it_overflowed_an_int_is_not_reported_as_a_kernel_larger_than_the_input()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Tensor<float>.Conv2d(Tensor.Ones<float>(1, 1, 4, 4), Tensor.Ones<float>(1, 1, 3, 3), null, stride: 1, padding: 1_100_000_000));

        Assert.DoesNotContain("larger than the input", error.Message);
        Assert.Contains("padding 1100000000", error.Message);
    }
}
