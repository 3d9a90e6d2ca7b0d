<?php
/** The built-in login form (config 'login' => 'password') and signing out. */
declare(strict_types=1);

namespace DsgvoAdmin;

function page_login(App $app): ?View
{
    $error = null;
    if (is_post()) {
        if (PasswordLogin::attempt(field('password'))) {
            redirect(url('search'));
            return null;
        }
        sleep(1);                            // slows down guessing; the shop's login should lock out, too
        $error = 'Falsches Passwort. / Wrong password.';
    } elseif ($app->admin !== null) {
        redirect(url('search'));
        return null;
    }
    $body = capture(function () use ($error): void {
        ?>
<section class="card narrow">
  <h1>Anmelden <span class="en">Sign in</span></h1>
<?php if ($error !== null): ?>
  <div class="box box-error" role="alert" id="login-error"><?= e($error) ?></div>
<?php endif; ?>
  <form method="post" action="<?= e(url('login')) ?>" class="stack">
    <?= csrf_field() ?>
    <label for="password">Passwort <span class="en">Password</span></label>
    <input type="password" id="password" name="password" required autocomplete="current-password" autofocus>
    <button type="submit" id="login-submit">Anmelden / Sign in</button>
  </form>
</section>
<?php
    });
    return new View('Anmelden / Sign in', $body, $error === null ? 200 : 403);
}

function page_logout(App $app): ?View
{
    if ($app->login === 'password') {
        PasswordLogin::logout();
        redirect(url('login'));
        return null;
    }
    return new View('Abmelden / Sign out', notice_box('<p>Sign out in the shop administration.</p>'));
}
