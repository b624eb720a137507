// Step, exponential, cosine, warm restarts and one-cycle learning rates, and what they do to training. See SchedulesSample.cs.
return SymbolicGrad.Samples.Schedules.SchedulesSample.Run(args);
