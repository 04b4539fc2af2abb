using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

/// <summary>The convolution's groups and lanes: sizes, and the same bits on one thread or two.</summary>
public sealed unsafe class ConvolutionKernelsTests
{
    [Fact]
    public void Groups_hold_as_many_images_as_fit_the_column_budget_and_at_least_one()
    {
        // 144 rows × 196 positions = 28,224 values per image: two fit 65,536, three do not.
        Assert.Equal(2, ConvolutionKernels.GroupSize(new Im2Col.Geometry(16, 14, 14, 3, 1, 1), 64));
        // 9 × 784 = 7,056: nine images.
        Assert.Equal(9, ConvolutionKernels.GroupSize(new Im2Col.Geometry(1, 28, 28, 3, 1, 1), 64));
        // Never more than the batch, never fewer than one.
        Assert.Equal(3, ConvolutionKernels.GroupSize(new Im2Col.Geometry(1, 28, 28, 3, 1, 1), 3));
        Assert.Equal(1, ConvolutionKernels.GroupSize(new Im2Col.Geometry(1, 256, 256, 3, 1, 1), 8));
    }

    [Theory]
    [InlineData(9, 16, 14, 3, 1, 1)]  // groups of 2: five groups in four lanes, the last lane holding two
    [InlineData(5, 1, 40, 3, 2, 0)]   // 9 × 361 columns per image: the whole batch in one group
    [InlineData(7, 8, 30, 5, 1, 2)]   // one image per group: seven groups in four lanes
    public void Two_threads_give_the_same_bits_as_one(int batch, int channels, int side, int kernel, int stride, int padding)
    {
        var g = new Im2Col.Geometry(channels, side, side, kernel, stride, padding);
        const int outChannels = 6;
        var random = new Random(batch * 100 + side);
        float[] input = Values(random, batch * g.ImageSize), weight = Values(random, outChannels * g.Rows);
        float[] bias = Values(random, outChannels), dOutput = Values(random, batch * outChannels * g.Positions);
        float[] start = Values(random, outChannels * g.Rows), biasStart = Values(random, outChannels);

        (float[] Output, float[] DInput, float[] DWeight, float[] DBias) Run(int threads)
        {
            var output = new float[batch * outChannels * g.Positions];
            var dInput = new float[input.Length];
            var dWeight = (float[])start.Clone();
            var dBias = (float[])biasStart.Clone();
            fixed (float* x = input, w = weight, b = bias, y = output, dY = dOutput, dX = dInput, dW = dWeight, dB = dBias)
            {
                ConvolutionKernels.Forward(x, w, b, y, g, batch, outChannels, threads);
                ConvolutionKernels.Backward(x, w, dY, dX, dW, dB, g, batch, outChannels, threads);
            }
            return (output, dInput, dWeight, dBias);
        }

        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Output, two.Output);
        Assert.Equal(one.DInput, two.DInput);
        Assert.Equal(one.DWeight, two.DWeight);
        Assert.Equal(one.DBias, two.DBias);
        Assert.NotEqual(start, one.DWeight);  // the gradient was added, not dropped
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]  // the bias alone: no products at all
    public void The_bias_gradient_is_the_output_gradient_summed_over_images_and_positions_and_added(bool withTheRest)
    {
        var g = new Im2Col.Geometry(3, 9, 9, 3, 1, 1);
        const int batch = 11, outChannels = 4;
        var random = new Random(7);
        float[] input = Values(random, batch * g.ImageSize), weight = Values(random, outChannels * g.Rows);
        float[] dOutput = Values(random, batch * outChannels * g.Positions), dBias = Values(random, outChannels);
        var expected = new double[outChannels];
        for (int channel = 0; channel < outChannels; channel++)
        {
            expected[channel] = dBias[channel];
            for (int image = 0; image < batch; image++)
                for (int p = 0; p < g.Positions; p++)
                    expected[channel] += dOutput[(image * outChannels + channel) * g.Positions + p];
        }
        var dInput = new float[input.Length];
        var dWeight = new float[weight.Length];
        fixed (float* x = input, w = weight, dY = dOutput, dX = dInput, dW = dWeight, dB = dBias)
            ConvolutionKernels.Backward(x, w, dY, withTheRest ? dX : null, withTheRest ? dW : null, dB, g, batch, outChannels);

        for (int channel = 0; channel < outChannels; channel++)
            Assert.Equal(expected[channel], dBias[channel], 3e-4);
    }

    private static float[] Values(Random random, int length)
        => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
