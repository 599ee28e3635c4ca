/** The reference's random forest (Tribuo CART with bagging), compiled for fast prediction. */
package io.llmcap.predictors.forest;
