using System.Numerics;

namespace Backprop.Optim;

/// <summary>
/// A learning rate as a function of the epoch, in torch's closed form. Stateless, so a resumed run
/// recomputes exactly the rate an uninterrupted one would have used.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate during <paramref name="epoch"/> (counting from 0) for a run that started at <paramref name="initialLearningRate"/>.</summary>
    public abstract double LearningRateAt(int epoch, double initialLearningRate);

    /// <summary>Sets the optimizer's rate for <paramref name="epoch"/>; call it before the epoch's first step.</summary>
    /// <exception cref="InvalidOperationException">the schedule gives a rate that is NaN, infinite or negative.</exception>
    public void Apply<T>(Optimizer<T> optimizer, int epoch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        double rate = LearningRateAt(epoch, optimizer.InitialLearningRate);
        if (!(double.IsFinite(rate) && rate >= 0))
            throw new InvalidOperationException($"{this} gave the learning rate {rate} for epoch {epoch}; a learning rate must be finite and ≥ 0");
        optimizer.LearningRate = rate;
    }
}
