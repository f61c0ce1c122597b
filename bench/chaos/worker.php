<?php

// One queue worker of the chaos run (killed and restarted at random by run.php).
declare(strict_types=1);

require __DIR__.'/app.php';
$app = chaos_app();
exit($app->make(Illuminate\Contracts\Console\Kernel::class)->call('queue:work', [
    'connection' => 'database', '--stop-when-empty' => true, '--sleep' => 0, '--tries' => 10, '--backoff' => 1,
]));
