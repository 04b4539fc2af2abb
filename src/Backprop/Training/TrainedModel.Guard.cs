namespace Backprop.Training;

public sealed partial class TrainedModel
{
    // NOTE: training writes the weights and the model's engine that predictions read, so a prediction from another
    // thread during Trainer.Fit answered from half-updated weights, or wrecked the step's activations, without a word.
    // The two now exclude each other: the count of predictions running, or -1 while Fit trains. Fit's own thread may
    // still predict (its test-set evaluation, a callback scoring the model between epochs).
    private int predictionsRunning;
    private int trainingThread;

    internal const string TrainingElsewhere =
        "the model is being trained (Trainer.Fit is running on another thread); predict after it returns";

    /// <summary>Held by <see cref="Trainer.Fit"/> while it trains this model.</summary>
    internal TrainingLease BeginTraining()
    {
        int was = Interlocked.CompareExchange(ref predictionsRunning, -1, 0);
        if (was < 0)
            throw new InvalidOperationException("the model is already being trained (Trainer.Fit is running on it); one Fit at a time");
        if (was > 0)
            throw new InvalidOperationException($"the model is answering {was} prediction{(was == 1 ? "" : "s")} on other threads; train it once they have returned");
        trainingThread = Environment.CurrentManagedThreadId;
        return new TrainingLease(this);
    }

    /// <summary>Held by each prediction, evaluation and raw-output call while it runs.</summary>
    internal PredictionLease BeginPrediction()
    {
        while (true)
        {
            int running = Volatile.Read(ref predictionsRunning);
            if (running < 0)
            {
                if (Volatile.Read(ref trainingThread) == Environment.CurrentManagedThreadId) return new PredictionLease(null);
                throw new InvalidOperationException(TrainingElsewhere);
            }
            if (Interlocked.CompareExchange(ref predictionsRunning, running + 1, running) == running) return new PredictionLease(this);
        }
    }

    internal readonly struct TrainingLease(TrainedModel model) : IDisposable
    {
        public void Dispose()
        {
            Volatile.Write(ref model.trainingThread, 0);
            Volatile.Write(ref model.predictionsRunning, 0);
        }
    }

    internal readonly struct PredictionLease(TrainedModel? model) : IDisposable
    {
        public void Dispose()
        {
            if (model is not null) Interlocked.Decrement(ref model.predictionsRunning);
        }
    }
}
