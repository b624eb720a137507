// A degree-9 polynomial on 15 points: training and validation loss, early stopping, weight decay. See OverfittingSample.cs.
return SymbolicGrad.Samples.Overfitting.OverfittingSample.Run(args);
