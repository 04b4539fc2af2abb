using Backprop.Nn;

namespace Backprop.Tests.Nn;

/// <summary>
/// Sequential runs a ReLU followed by max pooling as pooling first (a smaller map for the ReLU). These tests hold
/// it to the promise that this changes no bit: the output and every gradient equal the layers run one by one.
/// </summary>
public sealed class SequentialTests
{
    // Small integers (and exact zeros) everywhere, so that windows tie, hold only negatives, or hold exact zeros:
    // the cases where a swapped ReLU could send a gradient to another element.
    [Theory]
    [InlineData(2, null)]
    [InlineData(3, 2)]   // overlapping windows: an element can be the maximum of two
    [InlineData(3, 1)]
    public void Relu_then_max_pooling_gives_the_same_bits_as_the_layers_one_by_one(int kernel, int? stride)
    {
        var random = new Random(kernel * 10 + (stride ?? 0));
        var network = new Sequential<float>(
            new Conv2d<float>(2, 3, 3, random, padding: 1), new ActivationLayer<float>(Activation.Relu), new MaxPool2d<float>(kernel, stride),
            new Flatten<float>());
        foreach (var parameter in network.Parameters())
            Fill(parameter.Data, random, -2, 2);
        // The first output channel is negative everywhere, so its windows hold no positive value at all.
        network.NamedParameters().Single(pair => pair.Name.EndsWith("bias")).Parameter.Data[0] = -100;
        var input = Tensor.Uninitialized<float>(3, 2, 8, 8);
        Fill(input.Data, random, -2, 2);

        var (swapped, swappedGradients) = Run(network, input, random: new Random(1), oneByOne: false);
        var (reference, referenceGradients) = Run(network, input, random: new Random(1), oneByOne: true);

        Assert.Equal(Bits(reference), Bits(swapped));
        Assert.Contains(0f, reference);
        Assert.Equal(referenceGradients.Length, swappedGradients.Length);
        for (int i = 0; i < referenceGradients.Length; i++)
            Assert.Equal(Bits(referenceGradients[i]), Bits(swappedGradients[i]));
    }

    [Fact]
    public void A_nan_in_a_pooling_window_comes_through_the_swapped_relu_as_it_would_unswapped()
    {
        var network = new Sequential<float>(new ActivationLayer<float>(Activation.Relu), new MaxPool2d<float>(2));
        var input = Tensor.FromArray([float.NaN, 5, -1, 2, -3, -0f, -1, -2], 1, 2, 2, 2).RequireGrad();

        var (swapped, swappedGradients) = Run(network, input, new Random(3), oneByOne: false);
        var (reference, referenceGradients) = Run(network, input, new Random(3), oneByOne: true);

        Assert.True(float.IsNaN(swapped[0]));
        Assert.Equal(Bits(reference), Bits(swapped));
        Assert.Equal(Bits(referenceGradients[^1]), Bits(swappedGradients[^1]));
    }

    [Fact]
    public void Other_activations_before_max_pooling_are_not_swapped()
    {
        // Sigmoid rounds 15 and the next float up to one value (below 1, so its derivative is not 0): pooling its
        // output picks the first of the tie, pooling first would pick the second.
        var network = new Sequential<float>(new ActivationLayer<float>(Activation.Sigmoid), new MaxPool2d<float>(2));
        var input = Tensor.FromArray([15f, MathF.BitIncrement(15f), 1, 2], 1, 1, 2, 2);
        var sigmoid = input.Sigmoid().ToArray();
        Assert.Equal(sigmoid[0], sigmoid[1]);
        Assert.True(sigmoid[0] < 1);

        var (_, swappedGradients) = Run(network, input, new Random(3), oneByOne: false);
        var (_, referenceGradients) = Run(network, input, new Random(3), oneByOne: true);

        Assert.Equal(Bits(referenceGradients[^1]), Bits(swappedGradients[^1]));
        Assert.NotEqual(0f, referenceGradients[^1][0]);
    }

    // The output and the gradients of a weighted sum of it (weights with zeros, so some gradients are exactly 0):
    // the parameters' gradients, then the input's.
    private static (float[] Output, float[][] Gradients) Run(Sequential<float> network, Tensor<float> input, Random random, bool oneByOne)
    {
        foreach (var parameter in network.Parameters()) parameter.ZeroGrad();
        var x = Tensor.FromArray(input.ToArray(), input.Shape.ToArray()).RequireGrad();
        var output = x;
        if (oneByOne)
            foreach (var layer in network.Layers) output = layer.Forward(output);
        else
            output = network.Forward(x);
        var weights = Tensor.Uninitialized<float>(output.Shape.ToArray());
        Fill(weights.Data, random, -1, 1);
        (output * weights).Sum().Backward();
        var gradients = network.Parameters().Select(parameter => parameter.Grad!.ToArray()).Append(x.Grad!.ToArray()).ToArray();
        return (output.ToArray(), gradients);
    }

    private static void Fill(Span<float> values, Random random, int low, int high)
    {
        for (int i = 0; i < values.Length; i++) values[i] = random.Next(low, high + 1);
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    [Fact]
    public void A_null_layer_is_refused_when_the_network_is_built_naming_its_position()
    {
        var random = new Random(0);

        var error = Assert.Throws<ArgumentException>(() =>
            new Sequential<double>(new Linear<double>(2, 3, random), null!, new Linear<double>(3, 1, random)));

        Assert.Contains("layer 1", error.Message);
    }

    [Fact]
    public void A_nested_sequential_prints_its_layers_one_level_deeper_as_pytorch_does()
    {
        var network = new Sequential<float>(
            new Linear<float>(2, 3, new Random(1)),
            new Sequential<float>(new ActivationLayer<float>(Activation.Relu), new Linear<float>(3, 1, new Random(2))));

        Assert.Equal(
            """
            Sequential(
              (0): Linear(in_features=2, out_features=3)
              (1): Sequential(
                (0): relu
                (1): Linear(in_features=3, out_features=1)
              )
            )
            """.ReplaceLineEndings("\n"),
            network.ToString());
    }

    [Fact]
    public void An_empty_sequential_prints_on_one_line()
    {
        Assert.Equal("Sequential()", new Sequential<float>().ToString());
    }
}
