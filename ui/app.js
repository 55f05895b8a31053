// Wiring only: each screen is started with the callbacks that let it ask another screen for
// something, so screens never import one another. What a screen does lives in screens/.

import { $, closeDialogsOnDataClose } from './dom.js';
import { call, showError } from './ipc.js';
import * as environments from './screens/environments.js';
import * as customers from './screens/customers.js';
import * as signin from './screens/signin.js';
import * as run from './screens/run.js';
import * as results from './screens/results.js';
import * as compare from './screens/compare.js';
import * as history from './screens/history.js';
import * as portfolio from './screens/portfolio.js';
import * as requestLog from './screens/request-log.js';
import * as policies from './screens/policies.js';
import * as decision from './screens/decision.js';
import * as statements from './screens/statements.js';

// A run or a decision is listed, and shared with the team store at once when there is one.
function afterWork() {
  history.refresh();
  history.syncTeam();
}

environments.start({
  onSwitch: customers.render,
  afterSave: customers.load,
  // Its customers and their runs went with it.
  afterRemove: async () => {
    await customers.load();
    history.refresh();
  },
});
customers.start({ onChoose: run.refresh, refreshHistory: history.refresh });
signin.start({ onSignedIn: (customer) => customers.choose(customer.id) });
run.start({
  isPortfolioRunning: portfolio.isRunning,
  onStart: results.showRunning,
  onDone: (result) => {
    results.show(result);
    // The customer's "last run" line moves on.
    customers.load().catch(showError);
  },
  onFail: results.runFailed,
  afterRun: afterWork,
});
results.start({
  closeComparison: compare.close,
  isComparing: compare.isOpen,
  onShown: (result) => {
    decision.showFor(result);
    statements.showFor(result);
  },
});
statements.start();
decision.start({ afterDecide: afterWork });
compare.start({
  openRunId: results.openRunId,
  onOpen: results.hideTable,
  onClose: results.backFromComparison,
});
history.start({ onOpen: results.open, onCompare: compare.compareWith });
portfolio.start({
  onOpenRun: results.open,
  onBusyChange: run.refresh,
  refreshHistory: afterWork,
});
requestLog.start();
policies.start();
closeDialogsOnDataClose();

async function init() {
  try {
    const [environmentList, customerList, packages] = await Promise.all([
      call('environments'), call('list_customers'), call('list_packages'),
    ]);
    environments.show(environmentList);
    run.showPackages(packages);
    customers.show(customerList);
    history.refresh();
  } catch (err) {
    $('environment').textContent = 'Not connected';
    showError(err);
  }
}

init();
