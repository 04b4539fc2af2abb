using Backprop.Optim;

namespace Backprop.Tests.Optim;

public sealed class ScheduleTests
{
    [Fact]
    public void StepLr_multiplies_by_gamma_every_step_size_epochs()
    {
        var schedule = new StepLr(stepSize: 2, gamma: 0.5);
        Assert.Equal([0.1, 0.1, 0.05, 0.05, 0.025], Enumerable.Range(0, 5).Select(epoch => schedule.LearningRateAt(epoch, 0.1)));
    }

    [Fact]
    public void CosineAnnealingLr_falls_from_the_initial_rate_to_eta_min_at_t_max()
    {
        var schedule = new CosineAnnealingLr(tMax: 4, etaMin: 0.01);
        Assert.Equal(0.1, schedule.LearningRateAt(0, 0.1), 1e-15);
        Assert.Equal(0.055, schedule.LearningRateAt(2, 0.1), 1e-15); // halfway: the mean of 0.1 and 0.01
        Assert.Equal(0.01, schedule.LearningRateAt(4, 0.1), 1e-15);
        Assert.Equal(schedule.LearningRateAt(3, 0.1), schedule.LearningRateAt(5, 0.1), 1e-15); // and back up, as torch's
    }

    [Fact]
    public void ConstantLr_scales_by_the_factor_for_the_first_iterations_only()
    {
        Assert.Equal(0.1, new ConstantLr().LearningRateAt(7, 0.1));
        var warmUp = new ConstantLr(factor: 0.5, totalIterations: 2);
        Assert.Equal([0.05, 0.05, 0.1], Enumerable.Range(0, 3).Select(epoch => warmUp.LearningRateAt(epoch, 0.1)));
    }

    [Fact]
    public void Apply_sets_the_optimizer_rate_from_its_initial_rate()
    {
        var optimizer = new Sgd<double>([Tensor.Zeros<double>(1)], 0.2);
        var schedule = new StepLr(1, 0.5);
        schedule.Apply(optimizer, 3);
        Assert.Equal(0.025, optimizer.LearningRate);
        schedule.Apply(optimizer, 1); // stateless: going back is fine (a resumed run)
        Assert.Equal(0.1, optimizer.LearningRate);
    }

    [Fact]
    public void A_schedule_that_gives_a_rate_that_is_not_a_rate_is_refused_naming_itself_and_the_epoch()
    {
        var optimizer = new Sgd<double>([Tensor.Zeros<double>(1)], 0.2);
        var warmUp = new LinearWarmUp(epochs: 0); // 0 / 0 in its first epoch

        var error = Assert.Throws<InvalidOperationException>(() => warmUp.Apply(optimizer, 0));

        Assert.Contains("LinearWarmUp(0) gave the learning rate NaN for epoch 0", error.Message);
        Assert.Equal(0.2, optimizer.LearningRate);
    }

    private sealed class LinearWarmUp(int epochs) : LearningRateSchedule
    {
        public override double LearningRateAt(int epoch, double initialLearningRate) =>
            initialLearningRate * Math.Min(1.0, (double)epoch / epochs);

        public override string ToString() => $"LinearWarmUp({epochs})";
    }
}
