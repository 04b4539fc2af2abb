using Backprop.Data;
using Backprop.Nn;
using Backprop.Optim;
using Backprop.Training;

namespace Backprop.Tests.Training;

/// <summary>One model answering from several threads at once, as a web server's requests would ask it; and models
/// of their own training side by side.</summary>
public sealed class TrainedModelConcurrencyTests
{
    private const int Threads = 4, CallsPerThread = 6;

    private static string[] Names(string prefix, int count) => [.. Enumerable.Range(0, count).Select(i => $"{prefix}{i}")];

    private static DataSet Rows(int rows, int[] inputShape, int classes)
    {
        var random = new Random(5);
        int width = inputShape.Aggregate(1, (product, dimension) => product * dimension);
        var features = new float[rows * width];
        for (int i = 0; i < features.Length; i++) features[i] = (float)(random.NextDouble() * 2 - 1);
        var labels = new int[rows];
        for (int row = 0; row < rows; row++) labels[row] = random.Next(classes);
        return DataSet.Classification(features, rows, Names("f", width), inputShape, labels, Names("c", classes));
    }

    // Every thread predicts the same rows again and again, starting together; returns how many answers differ.
    private static int ConcurrentAnswersThatDiffer(TrainedModel model, DataSet data, float[] expected)
    {
        int differing = 0;
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (int call = 0; call < CallsPerThread; call++)
                if (!model.PredictProbabilities(data).AsSpan().SequenceEqual(expected)) Interlocked.Increment(ref differing);
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        return differing;
    }

    [Fact]
    public void A_dense_model_predicting_on_several_threads_at_once_gives_each_the_answers_of_a_lone_call()
    {
        var random = new Random(3);
        var network = new Sequential<float>(new Linear<float>(32, 256, random), new ActivationLayer<float>(Activation.Relu),
            new Linear<float>(256, 256, random), new ActivationLayer<float>(Activation.Relu), new Linear<float>(256, 4, random));
        var model = new TrainedModel(network, TaskKind.Classification, Names("f", 32), [32], Names("c", 4), null);
        var data = Rows(600, [32], 4);

        Assert.Equal(0, ConcurrentAnswersThatDiffer(model, data, model.PredictProbabilities(data)));
    }

    [Fact]
    public void A_convolutional_model_predicting_on_several_threads_at_once_stays_in_inference_and_leaves_its_statistics_alone()
    {
        var random = new Random(3);
        var network = new Sequential<float>(new Conv2d<float>(1, 4, kernel: 3, random, padding: 1), new BatchNorm<float>(4),
            new ActivationLayer<float>(Activation.Relu), new MaxPool2d<float>(2), new Flatten<float>(), new Dropout<float>(0.5, random),
            new Linear<float>(4 * 4 * 4, 3, random));
        var model = new TrainedModel(network, TaskKind.Classification, Names("p", 64), [1, 8, 8], Names("c", 3), null);
        var data = Rows(200, [1, 8, 8], 3);
        var norm = (BatchNorm<float>)network.Layers[1];
        float[] runningMean = norm.RunningMean.ToArray(), runningVar = norm.RunningVar.ToArray();

        Assert.Equal(0, ConcurrentAnswersThatDiffer(model, data, model.PredictProbabilities(data)));
        Assert.Equal(runningMean, norm.RunningMean.ToArray());
        Assert.Equal(runningVar, norm.RunningVar.ToArray());
        Assert.True(network.Training); // handed back in the mode it was built in
    }

    // Wide enough that the products go to the GEMM's worker threads, which only one training at a time can have.
    private static float[] TrainedWeights(int seed, bool convolutional)
    {
        var random = new Random(seed);
        var network = convolutional
            ? new Sequential<float>(new Conv2d<float>(1, 16, kernel: 3, random, padding: 1), new BatchNorm<float>(16),
                new ActivationLayer<float>(Activation.Relu), new MaxPool2d<float>(2), new Flatten<float>(),
                new Dropout<float>(0.3, random), new Linear<float>(16 * 4 * 4, 10, random))
            : new Sequential<float>(new Linear<float>(64, 512, random), new ActivationLayer<float>(Activation.Relu),
                new Dropout<float>(0.3, random), new Linear<float>(512, 512, random), new ActivationLayer<float>(Activation.Relu),
                new Linear<float>(512, 10, random));
        int[] shape = convolutional ? [1, 8, 8] : [64];
        var data = Rows(600, shape, 10);
        var model = new TrainedModel(network, TaskKind.Classification, data.FeatureNames, shape, data.ClassNames, null);
        Trainer.Fit(model, data, null, new Adam<float>(network.Parameters(), learningRate: 0.002),
            new TrainingOptions { Epochs = 2, BatchSize = 256, Seed = seed });
        return [.. network.Parameters().SelectMany(parameter => parameter.ToArray())];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Models_trained_on_several_threads_at_once_end_with_the_weights_of_one_after_another(bool convolutional)
    {
        float[][] alone = [.. Enumerable.Range(0, 3).Select(seed => TrainedWeights(seed, convolutional))];

        var together = new float[3][];
        Parallel.For(0, together.Length, seed => together[seed] = TrainedWeights(seed, convolutional));

        Assert.Equal(alone, together);
    }

    // Runs its action at the end of each epoch, as a user's callback would.
    private sealed class AtEpochEnd(Action action) : ITrainingCallback
    {
        public bool OnEpochEnd(EpochMetrics metrics)
        {
            action();
            return true;
        }
    }

    // What the action threw on a thread of its own; null if nothing.
    private static Exception? OnAnotherThread(Action action)
    {
        Exception? thrown = null;
        var thread = new Thread(() => thrown = Record.Exception(action));
        thread.Start();
        thread.Join();
        return thrown;
    }

    private static (TrainedModel Model, DataSet Data, Adam<float> Optimizer) SmallModel()
    {
        var network = new Sequential<float>(new Linear<float>(8, 16, new Random(3)), new ActivationLayer<float>(Activation.Relu),
            new Linear<float>(16, 3, new Random(4)));
        var data = Rows(100, [8], 3);
        var model = new TrainedModel(network, TaskKind.Classification, data.FeatureNames, [8], data.ClassNames, null);
        return (model, data, new Adam<float>(network.Parameters(), learningRate: 0.01));
    }

    [Fact]
    public void A_prediction_from_another_thread_while_Fit_trains_is_refused_and_Fits_own_thread_may_predict()
    {
        var (model, data, optimizer) = SmallModel();
        Exception? elsewhere = null;
        float[]? own = null;
        var callback = new AtEpochEnd(() =>
        {
            own = model.PredictProbabilities(data);
            elsewhere = OnAnotherThread(() => model.Evaluate(data));
        });

        Trainer.Fit(model, data, data, optimizer, new TrainingOptions { Epochs = 1, BatchSize = 32 }, [callback]);

        Assert.Equal(TrainedModel.TrainingElsewhere, Assert.IsType<InvalidOperationException>(elsewhere).Message);
        Assert.Equal(model.PredictProbabilities(data), own); // after Fit, any thread predicts again
        Assert.Null(OnAnotherThread(() => model.PredictProbabilities(data)));
    }

    [Fact]
    public void Fit_is_refused_while_predictions_run_and_while_the_model_is_already_training()
    {
        var (model, data, optimizer) = SmallModel();
        var options = new TrainingOptions { Epochs = 1, BatchSize = 32 };

        using (model.BeginPrediction())
        {
            var busy = Assert.Throws<InvalidOperationException>(() => Trainer.Fit(model, data, null, optimizer, options));
            Assert.Equal("the model is answering 1 prediction on other threads; train it once they have returned", busy.Message);
        }
        Exception? nested = null;
        Trainer.Fit(model, data, null, optimizer, options, [new AtEpochEnd(() => nested = Record.Exception(() => Trainer.Fit(model, data, null, optimizer, options)))]);

        Assert.Contains("already being trained", Assert.IsType<InvalidOperationException>(nested).Message);
        Trainer.Fit(model, data, null, optimizer, options); // the refusals left nothing held
    }
}
