using Backprop.Nn;

namespace Backprop.Tests.Nn;

public sealed class LayerModuleTests
{
    [Fact]
    public void Dropout_in_inference_passes_the_input_through_untouched()
    {
        var dropout = new Dropout<double>(0.5);
        dropout.SetTraining(false);
        var x = Tensor.FromArray([1.0, -2, 3, 4], 2, 2);

        Assert.Same(x, dropout.Forward(x));
    }

    [Fact]
    public void Dropout_in_training_zeroes_about_p_of_the_elements_and_scales_the_rest_to_keep_the_mean()
    {
        var dropout = new Dropout<double>(0.3);
        dropout.Reseed(5);
        var x = Tensor.Full(2.0, 100, 100);

        var y = dropout.Forward(x).ToArray();

        double zeros = y.Count(v => v == 0) / (double)y.Length;
        Assert.InRange(zeros, 0.28, 0.32);
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - 2 / 0.7) < 1e-12));
        Assert.InRange(y.Average(), 1.95, 2.05);
    }

    [Fact]
    public void Dropout_masks_repeat_after_a_reseed_and_differ_without_one()
    {
        var dropout = new Dropout<double>(0.5);
        var x = Tensor.Full(1.0, 64);
        dropout.Reseed(9);
        var first = dropout.Forward(x).ToArray();
        var second = dropout.Forward(x).ToArray();
        dropout.Reseed(9);
        var again = dropout.Forward(x).ToArray();

        Assert.Equal(first, again);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Two_dropout_layers_of_one_width_drop_different_elements()
    {
        var first = new Dropout<double>(0.5);
        var second = new Dropout<double>(0.5);
        var x = Tensor.Full(1.0, 64);

        Assert.NotEqual(first.Forward(x).ToArray(), second.Forward(x).ToArray());
    }

    [Fact]
    public void Dropout_seeded_from_a_generator_repeats_its_masks_and_differs_from_its_neighbour()
    {
        var x = Tensor.Full(1.0, 64);
        double[][] Masks(int seed)
        {
            var random = new Random(seed);
            return [new Dropout<double>(0.5, random).Forward(x).ToArray(), new Dropout<double>(0.5, random).Forward(x).ToArray()];
        }

        var run = Masks(4);
        Assert.Equal(run, Masks(4));
        Assert.NotEqual(run[0], run[1]);
    }

    [Fact]
    public void Dropout_gradient_is_the_mask()
    {
        var dropout = new Dropout<double>(0.5);
        dropout.Reseed(3);
        var x = Tensor.FromArray(Enumerable.Range(1, 32).Select(i => (double)i).ToArray(), 32).RequireGrad();

        var y = dropout.Forward(x);
        y.Sum().Backward();

        var output = y.ToArray();
        var gradient = x.Grad!.ToArray();
        for (int i = 0; i < 32; i++) Assert.Equal(output[i] == 0 ? 0 : 2, gradient[i], 12);
    }

    [Fact]
    public void Dropout_refuses_a_probability_outside_0_to_1()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout<float>(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout<float>(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout<float>(double.NaN));
    }

    [Fact]
    public void Flatten_keeps_the_batch_and_joins_the_rest_in_row_major_order()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), 2, 3, 2, 2);

        var y = new Flatten<float>().Forward(x);

        Assert.Equal([2, 12], y.Shape.ToArray());
        Assert.Equal(x.ToArray(), y.ToArray());
    }

    [Fact]
    public void Flatten_of_an_empty_batch_keeps_the_width_the_next_layer_expects()
    {
        var y = new Flatten<float>().Forward(Tensor.Zeros<float>(0, 3, 2));

        Assert.Equal([0, 6], y.Shape.ToArray()); // as PyTorch; Length / N made it [0, 0]
        Assert.Equal([0, 4], new Linear<float>(6, 4, new Random(1)).Forward(y).Shape.ToArray());
    }

    [Fact]
    public void Sequential_switches_every_layer_between_training_and_inference()
    {
        var inner = new Dropout<float>(0.1);
        var network = new Sequential<float>(new Linear<float>(2, 2, new Random(1)), inner);

        network.SetTraining(false);
        Assert.False(inner.Training);
        network.SetTraining(true);
        Assert.True(inner.Training);
    }

    [Fact]
    public void Batch_norm_lists_its_running_statistics_as_buffers_not_parameters()
    {
        var network = new Sequential<float>(new BatchNorm<float>(3));

        Assert.Equal(["0.weight", "0.bias"], network.NamedParameters().Select(pair => pair.Name));
        Assert.Equal(["0.running_mean", "0.running_var"], network.NamedBuffers().Select(pair => pair.Name));
        Assert.Equal([0f, 0, 0], network.NamedBuffers().First().Buffer.ToArray());
        Assert.Equal([1f, 1, 1], network.NamedBuffers().Last().Buffer.ToArray());
    }

    [Fact]
    public void Layers_that_draw_their_initial_weights_refuse_a_null_generator_by_name()
    {
        Assert.Equal("random", Assert.Throws<ArgumentNullException>(() => new Linear<double>(2, 3, null!)).ParamName);
        Assert.Equal("random", Assert.Throws<ArgumentNullException>(() => new Conv2d<double>(1, 2, 3, null!)).ParamName);
    }

    [Fact]
    public void An_activation_layer_refuses_a_value_that_names_no_activation()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ActivationLayer<double>((Activation)99));

        Assert.Equal("activation", error.ParamName);
    }

    [Fact]
    public void A_layer_used_twice_gives_its_parameters_once_so_an_optimizer_steps_them_once()
    {
        var shared = new Linear<float>(2, 2, new Random(1));
        var network = new Sequential<float>(shared, new ActivationLayer<float>(Activation.Tanh), shared);

        Assert.Equal([shared.Weight, shared.Bias], network.Parameters());
        Assert.Equal(6, network.ParameterCount());
        var optimizer = new Backprop.Optim.Sgd<float>(network.Parameters(), 0.5);
        float before = shared.Bias[0];
        network.Forward(Tensor.Ones<float>(1, 2)).Sum().Backward();
        float gradient = shared.Bias.Grad![0];
        optimizer.Step();
        Assert.Equal(before - 0.5f * gradient, shared.Bias[0]);
    }

    [Fact]
    public void A_layer_built_with_a_size_out_of_range_names_that_size()
    {
        var random = new Random(0);
        string Named(Action build) => Assert.Throws<ArgumentOutOfRangeException>(build).ParamName!;

        Assert.Equal("inFeatures", Named(() => new Linear<float>(-1, 3, random)));
        Assert.Equal("outFeatures", Named(() => new Linear<float>(3, -2, random)));
        Assert.Equal("inChannels", Named(() => new Conv2d<float>(0, 2, 3, random)));
        Assert.Equal("kernel", Named(() => new Conv2d<float>(1, 2, 0, random)));
        Assert.Equal("stride", Named(() => new Conv2d<float>(1, 2, 3, random, stride: 0)));
        Assert.Equal("padding", Named(() => new Conv2d<float>(1, 2, 3, random, padding: -1)));
        Assert.Equal("channels", Named(() => new BatchNorm<float>(-1)));
        Assert.Equal("channels", Named(() => new BatchNorm<float>(0)));
    }
}
