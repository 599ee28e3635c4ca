/** HTML reports and charts of a run. */
package io.llmcap.report;
