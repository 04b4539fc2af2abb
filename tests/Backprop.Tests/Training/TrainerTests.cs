using Backprop.Data;
using Backprop.Nn;
using Backprop.Optim;
using Backprop.Training;

namespace Backprop.Tests.Training;

public sealed class TrainerTests
{
    private static (TrainedModel Model, DataSet Data) TinyRegression()
    {
        var features = new float[] { 0, 1, 2, 3, 4, 5, 6, 7 };
        var targets = new float[] { 1, 3, 5, 7, 9, 11, 13, 15 };
        var data = DataSet.Regression(features, 8, ["x"], [1], targets);
        var network = NetworkBuilder.Mlp<float>(1, [3], 1, Activation.Tanh, new Random(1));
        return (new TrainedModel(network, TaskKind.Regression, ["x"], [1], null, null), data);
    }

    /// <summary>Poisons a weight right after the epoch's last optimizer step, where no loss check can see it.</summary>
    private sealed class PoisonAfterLastStep(Tensor<float> weight, float poison = float.NaN) : ITrainingCallback
    {
        public int EpochsReported { get; private set; }

        public void OnBatchEnd(int epoch, int batch, int batchesPerEpoch, double runningLoss, double samplesPerSecond)
        {
            if (epoch == 2 && batch == batchesPerEpoch) weight.Data[0] = poison;
        }

        public bool OnEpochEnd(EpochMetrics metrics)
        {
            EpochsReported++;
            return true;
        }
    }

    [Fact]
    public void Regression_data_is_refused_for_a_classification_model_before_any_step()
    {
        var (_, regression) = TinyRegression();
        var network = new Sequential<float>(new Linear<float>(1, 2, new Random(1)));
        var model = new TrainedModel(network, TaskKind.Classification, ["x"], [1], ["no", "yes"], null);

        var error = Assert.Throws<ArgumentException>(() =>
            Trainer.Fit(model, regression, null, new Sgd<float>(network.Parameters(), 0.1), new TrainingOptions { Epochs = 1 }));

        Assert.Equal("the train data is for regression, the model for classification (Parameter 'train')", error.Message);
    }

    [Fact]
    public void Training_data_without_rows_is_refused_rather_than_reporting_a_loss_of_zero()
    {
        var (model, _) = TinyRegression();
        var empty = DataSet.Regression([], 0, ["x"], [1], []);

        var error = Assert.Throws<ArgumentException>(() =>
            Trainer.Fit(model, empty, null, new Sgd<float>(model.Network.Parameters(), 0.1), new TrainingOptions { Epochs = 1 }));

        Assert.Equal("train", error.ParamName);
        Assert.Contains("no rows", error.Message);
    }

    [Fact]
    public void A_test_set_without_rows_is_refused_rather_than_scored_as_zero()
    {
        var (model, data) = TinyRegression();
        var empty = DataSet.Regression([], 0, ["x"], [1], []);

        var error = Assert.Throws<ArgumentException>(() =>
            Trainer.Fit(model, data, empty, new Sgd<float>(model.Network.Parameters(), 0.1), new TrainingOptions { Epochs = 1 }));

        Assert.Equal("test", error.ParamName);
    }

    [Fact]
    public void An_optimizer_made_for_another_network_is_refused_rather_than_training_nothing()
    {
        var (model, data) = TinyRegression();
        var (other, _) = TinyRegression();

        var error = Assert.Throws<ArgumentException>(() =>
            Trainer.Fit(model, data, null, new Sgd<float>(other.Network.Parameters(), 0.1), new TrainingOptions { Epochs = 1 }));

        Assert.Equal("optimizer", error.ParamName);
        Assert.Contains("parameter 0 of 4 is not one of the model's network", error.Message);
    }

    [Fact]
    public void An_optimizer_over_some_of_the_networks_parameters_trains_those_and_freezes_the_rest()
    {
        var (model, data) = TinyRegression();
        var layers = model.Network.Parameters().ToArray();
        var frozen = layers[0].ToArray();

        Trainer.Fit(model, data, null, new Sgd<float>(layers.Skip(2), 0.1), new TrainingOptions { Epochs = 1 });

        Assert.Equal(frozen, layers[0].ToArray());
    }

    [Fact]
    public void Test_data_without_a_target_is_refused()
    {
        var (model, data) = TinyRegression();
        var unlabelled = DataSet.Unlabelled(data.Features, data.Rows, data.FeatureNames, data.InputShape);

        var error = Assert.Throws<ArgumentException>(() =>
            Trainer.Fit(model, data, unlabelled, new Sgd<float>(model.Network.Parameters(), 0.1), new TrainingOptions { Epochs = 1 }));

        Assert.Equal("test", error.ParamName);
    }

    [Fact]
    public void Weights_that_turn_non_finite_in_an_epochs_last_step_stop_training_before_the_epoch_is_reported()
    {
        var (model, data) = TinyRegression();
        var optimizer = new Sgd<float>(model.Network.Parameters(), 0.01);
        var poison = new PoisonAfterLastStep(model.Network.Parameters().First());

        var diverged = Assert.Throws<TrainingDivergedException>(() =>
            Trainer.Fit(model, data, data, optimizer, new TrainingOptions { Epochs = 3, BatchSize = 4 }, [poison]));

        Assert.Equal(2, diverged.Epoch);
        Assert.Contains("NaN", diverged.Message);
        Assert.Equal(1, poison.EpochsReported);
    }

    [Fact]
    public void Weights_too_large_but_finite_after_an_epochs_last_step_still_count_as_divergence()
    {
        // A linear model: 1e38 · x overflows for x ≥ 4, on the training data as on the test data.
        var (_, data) = TinyRegression();
        var model = new TrainedModel(new Sequential<float>(new Linear<float>(1, 1, new Random(1))), TaskKind.Regression, ["x"], [1], null, null);
        var optimizer = new Sgd<float>(model.Network.Parameters(), 0.01);
        var poison = new PoisonAfterLastStep(model.Network.Parameters().First(), 1e38f);

        var diverged = Assert.Throws<TrainingDivergedException>(() =>
            Trainer.Fit(model, data, data, optimizer, new TrainingOptions { Epochs = 3, BatchSize = 4 }, [poison]));

        Assert.Equal(2, diverged.Epoch);
        Assert.Contains("outputs on the training data are no longer finite", diverged.Message);
    }

    [Fact]
    public void A_test_sample_far_outside_the_training_range_is_evaluated_not_taken_for_divergence()
    {
        // y = 2x + 1 exactly, so training leaves the weights be; 2 · 3e38 overflows a float.
        var data = DataSet.Regression([0, 1, 2, 3], 4, ["x"], [1], [1, 3, 5, 7]);
        var test = DataSet.Regression([1, 3e38f], 2, ["x"], [1], [3, 7]);
        var layer = new Linear<float>(1, 1, new Random(1));
        layer.Weight.Data[0] = 2;
        layer.Bias.Data[0] = 1;
        var model = new TrainedModel(new Sequential<float>(layer), TaskKind.Regression, ["x"], [1], null, null);

        var result = Trainer.Fit(model, data, test, new Sgd<float>(model.Network.Parameters(), 0.01),
            new TrainingOptions { Epochs = 3, BatchSize = 4 }, [new EarlyStopping(patience: 1)]);

        Assert.Equal([1, 2, 3], result.Epochs.Select(e => e.Epoch));
        Assert.False(double.IsFinite(result.FinalTest!.Loss));
        Assert.Equal(2, result.FinalTest.Samples);
    }

    [Fact]
    public void Training_options_refuse_a_batch_below_one_sample_negative_epochs_and_a_clip_norm_that_is_not_positive()
    {
        // NOTE: a batch size of 0 (rows / k with k > rows) trained silently on single samples.
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { BatchSize = 0 }).ParamName);
        Assert.Equal("Epochs", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { Epochs = -1 }).ParamName);
        foreach (double clip in new[] { 0, -1, double.NaN, double.PositiveInfinity })
            Assert.Equal("ClipNorm", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { ClipNorm = clip }).ParamName);
        var accepted = new TrainingOptions { BatchSize = 1, Epochs = 0, ClipNorm = null };
        Assert.Equal((1, 0, (double?)null), (accepted.BatchSize, accepted.Epochs, accepted.ClipNorm));
    }

    [Fact]
    public void A_finite_run_reports_every_epoch()
    {
        var (model, data) = TinyRegression();
        var optimizer = new Sgd<float>(model.Network.Parameters(), 0.01);
        var result = Trainer.Fit(model, data, data, optimizer, new TrainingOptions { Epochs = 3, BatchSize = 4 });
        Assert.Equal([1, 2, 3], result.Epochs.Select(e => e.Epoch));
        Assert.All(result.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss) && double.IsFinite(e.TestLoss!.Value)));
    }

    private static (TrainedModel Model, DataSet Data) BatchNormRegression(int rows, bool convolutional)
    {
        var random = new Random(3);
        int width = convolutional ? 4 : 2;
        var features = Enumerable.Range(0, rows * width).Select(_ => (float)random.NextDouble()).ToArray();
        var targets = Enumerable.Range(0, rows).Select(row => features[row * width]).ToArray();
        int[] inputShape = convolutional ? [1, 2, 2] : [2];
        var data = DataSet.Regression(features, rows, Enumerable.Range(0, width).Select(i => $"x{i}").ToArray(), inputShape, targets);
        Sequential<float> network = convolutional
            ? new(new Conv2d<float>(1, 3, 1, random), new BatchNorm<float>(3), new Flatten<float>(), new Linear<float>(12, 1, random))
            : new(new Linear<float>(2, 3, random), new BatchNorm<float>(3), new Linear<float>(3, 1, random));
        return (new TrainedModel(network, TaskKind.Regression, data.FeatureNames, inputShape, null, null), data);
    }

    [Fact]
    public void A_lone_last_sample_sits_out_the_epoch_where_batch_norm_cannot_normalise_it()
    {
        // 9 rows in batches of 4: the last batch holds one sample, whose batch variance after a dense layer is 0 / 0.
        var (model, data) = BatchNormRegression(rows: 9, convolutional: false);
        var optimizer = new Sgd<float>(model.Network.Parameters(), 0.01);

        var result = Trainer.Fit(model, data, null, optimizer, new TrainingOptions { Epochs = 2, BatchSize = 4 });

        Assert.Equal(2 * 8, result.SamplesSeen);
        Assert.Equal(2, Trainer.SmallestBatch(model));
        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(model, data, null, optimizer, new TrainingOptions { Epochs = 1, BatchSize = 1 }));
        Assert.Contains(Trainer.BatchNormNeedsTwo, error.Message);
    }

    [Fact]
    public void A_batch_norm_inside_a_nested_stack_is_found_too()
    {
        var random = new Random(1);
        var (flat, data) = BatchNormRegression(rows: 9, convolutional: false);
        var nested = new Sequential<float>(new Linear<float>(2, 3, random),
            new Sequential<float>(new BatchNorm<float>(3), new ActivationLayer<float>(Activation.Relu)), new Linear<float>(3, 1, random));
        var model = new TrainedModel(nested, TaskKind.Regression, flat.FeatureNames, flat.InputShape, null, null);

        var result = Trainer.Fit(model, data, null, new Sgd<float>(model.Network.Parameters(), 0.01), new TrainingOptions { Epochs = 1, BatchSize = 4 });

        Assert.Equal(2, Trainer.SmallestBatch(model));
        Assert.Equal(8, result.SamplesSeen);
    }

    /// <summary>Passes its input through, counting the passes.</summary>
    private sealed class CountingLayer : Module<float>
    {
        public int Passes { get; private set; }

        public override Tensor<float> Forward(Tensor<float> input)
        {
            Passes++;
            return input;
        }
    }

    [Fact]
    public void The_smallest_batch_is_worked_out_by_one_dry_run_however_often_it_is_asked()
    {
        var random = new Random(1);
        var counter = new CountingLayer();
        var (flat, _) = BatchNormRegression(rows: 9, convolutional: false);
        var network = new Sequential<float>(counter, new Linear<float>(2, 3, random), new BatchNorm<float>(3), new Linear<float>(3, 1, random));
        var model = new TrainedModel(network, TaskKind.Regression, flat.FeatureNames, flat.InputShape, null, null);
        int passesOfTheConstructorsCheck = counter.Passes;

        Assert.Equal(2, Trainer.SmallestBatch(model));
        Assert.Equal(2, Trainer.SmallestBatch(model));

        Assert.Equal(passesOfTheConstructorsCheck + 1, counter.Passes);
    }

    [Fact]
    public void Batch_norm_over_a_feature_map_of_several_pixels_trains_on_single_samples()
    {
        var (model, data) = BatchNormRegression(rows: 9, convolutional: true);
        var optimizer = new Sgd<float>(model.Network.Parameters(), 0.01);

        var result = Trainer.Fit(model, data, null, optimizer, new TrainingOptions { Epochs = 1, BatchSize = 4 });

        Assert.Equal(1, Trainer.SmallestBatch(model));
        Assert.Equal(9, result.SamplesSeen);
        Assert.True(model.Network.Training);
    }

    [Theory]
    [InlineData(0, 0.0, "patience")]
    [InlineData(-2, 0.0, "patience")]
    [InlineData(1, double.NaN, "minDelta")]
    [InlineData(1, -0.5, "minDelta")]
    public void Early_stopping_refuses_a_patience_below_one_or_a_minimum_improvement_that_is_negative_or_nan(int patience, double minDelta, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(patience, minDelta));

        Assert.Equal(parameter, error.ParamName);
    }

    /// <summary>Cancels the run after the given step of the first epoch, keeping the weights as that step left them.</summary>
    private sealed class CancelAfterStep(CancellationTokenSource cancellation, Tensor<float> weight, int step) : ITrainingCallback
    {
        public float[] WeightsAtCancel { get; private set; } = [];

        public void OnBatchEnd(int epoch, int batch, int batchesPerEpoch, double runningLoss, double samplesPerSecond)
        {
            if (epoch != 1 || batch != step) return;
            WeightsAtCancel = weight.ToArray();
            cancellation.Cancel();
        }
    }

    [Fact]
    public void A_cancelled_run_stops_before_its_next_step_and_keeps_the_weights_of_the_last_one()
    {
        var (model, data) = TinyRegression();
        var weight = model.Network.Parameters().First();
        using var cancellation = new CancellationTokenSource();
        var canceller = new CancelAfterStep(cancellation, weight, step: 2);

        Assert.Throws<OperationCanceledException>(() => Trainer.Fit(model, data, null, new Sgd<float>(model.Network.Parameters(), 0.01),
            new TrainingOptions { Epochs = 5, BatchSize = 2 }, [canceller], cancellationToken: cancellation.Token));

        Assert.Equal(canceller.WeightsAtCancel, weight.ToArray());
    }
}
