using Backprop.Nn;

namespace Backprop.Tests.Nn;

public sealed class ModuleConcurrencyTests
{
    [Fact]
    public void A_network_in_inference_gives_every_thread_the_output_of_a_lone_forward()
    {
        var random = new Random(7);
        var network = new Sequential<double>(new Conv2d<double>(2, 4, kernel: 3, random, padding: 1), new BatchNorm<double>(4),
            new ActivationLayer<double>(Activation.Relu), new MaxPool2d<double>(2), new Flatten<double>(), new Dropout<double>(0.5, random),
            new Linear<double>(4 * 8 * 8, 300, random), new ActivationLayer<double>(Activation.Relu), new Linear<double>(300, 5, random));
        network.SetTraining(false);
        var images = Tensor.Uniform(random, -1.0, 1.0, 32, 2, 16, 16);
        double[] alone;
        using (GradMode.NoGrad()) alone = network.Forward(images).ToArray();

        var outputs = new double[8][];
        Parallel.For(0, outputs.Length, i =>
        {
            using (GradMode.NoGrad()) outputs[i] = network.Forward(images).ToArray();
        });

        Assert.All(outputs, output => Assert.Equal(alone, output));
    }

    [Fact]
    public void A_dropout_layer_in_training_on_several_threads_at_once_goes_on_keeping_about_half_the_elements()
    {
        // NOTE: a wrecked generator is a matter of timing. Rounds of more threads than cores give it many chances: a thread
        // stopped half-way through a draw wrote stale state back when it resumed.
        var dropout = new Dropout<float>(0.5, new Random(1));
        var ones = Tensor.Full(1f, 400, 500);
        for (int round = 0; round < 10; round++)
        {
            var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
            {
                for (int pass = 0; pass < 4; pass++) dropout.Forward(ones);
            })).ToArray();
            foreach (var thread in threads) thread.Start();
            foreach (var thread in threads) thread.Join();

            int kept = dropout.Forward(ones).ToArray().Count(value => value != 0);

            Assert.InRange(kept, 98_000, 102_000);
        }
    }
}
